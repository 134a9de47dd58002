"""The default course in source/knowledge.yaml: complete, scheduled, and shaped for learning."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from prepexport.course.coverage import coverage
from prepexport.course.kinds import card_kind
from prepexport.deck import build_deck
from prepexport.deck.notes import collect_notes
from prepexport.load import Loaded, load_file
from prepexport.markup import ItemList, parse, plain
from prepexport.model import BasicCard, ClozeCard, KnowledgeBase, ReversibleCard, Roadmap

SOURCE = Path(__file__).parents[1] / "source" / "knowledge.yaml"

REQUIRED_FORMULAS = {
    "causal-lm-loss",
    "scaled-dot-product-attention",
    "softmax",
    "cosine-similarity",
    "recall-at-k",
    "mrr",
    "ndcg",
    "kv-cache-per-token",
    "kv-cache-per-sequence",
    "weight-memory",
    "lora-params",
    "chinchilla-tokens",
    "cost-per-request",
}

GUIDE_REFERENCE_TITLES = [
    "Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks",
    "Fast Transformer Decoding: One Write-Head is All You Need",
    "GQA: Training Generalized Multi-Query Transformer Models from Multi-Head Checkpoints",
    "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
    "Attention Is All You Need",
    "RoFormer: Enhanced Transformer with Rotary Position Embedding",
    "Train Short, Test Long: Attention with Linear Biases Enables Input Length Generalization",
    "Efficient Memory Management for Large Language Model Serving with PagedAttention",
    "LoRA: Low-Rank Adaptation of Large Language Models",
    "QLoRA: Efficient Finetuning of Quantized Language Models",
    "Training Language Models to Follow Instructions with Human Feedback (InstructGPT)",
    "Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
    "Tree of Thoughts: Deliberate Problem Solving with Large Language Models",
    "DeepEval: The LLM Evaluation Framework",
    "Mixtral of Experts",
    "Fast Inference from Transformers via Speculative Decoding",
    "Learning Transferable Visual Models From Natural Language Supervision",
    "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
    "Training Compute-Optimal Large Language Models",
    "Lost in the Middle: How Language Models Use Long Contexts",
    "GPT-5.5 Model",
    "Claude Opus 4.7",
    "Context windows",
    "DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via Reinforcement Learning",
    "Model Context Protocol Specification Overview",
    "The MCP Registry",
    "Security Best Practices",
    "Tülu 3: Pushing Frontiers in Open Language Model Post-Training",
    "Jamba: A Hybrid Transformer-Mamba Language Model",
]


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load_file(SOURCE)


@pytest.fixture(scope="module")
def kb(loaded: Loaded) -> KnowledgeBase:
    return loaded.kb


def test_default_source_is_valid_with_no_warnings(loaded: Loaded) -> None:
    # No warning at all, so also none that the two plans order material differently: one deck order serves both.
    assert [str(w) for w in loaded.warnings] == []


def test_roadmaps_have_four_and_eight_weeks(kb: KnowledgeBase) -> None:
    assert sorted(len(r.weeks) for r in kb.roadmaps) == [4, 8]
    for roadmap in kb.roadmaps:
        assert roadmap.rhythm.daily, roadmap.id
        for number, week in enumerate(roadmap.weeks, 1):
            assert week.drills, f"{roadmap.id} week {number} has no drill"
            assert week.proof.checklist, f"{roadmap.id} week {number} has no proof checklist"


def test_eight_week_plan_splits_the_shared_transformer_focus(kb: KnowledgeBase) -> None:
    first, second = kb.roadmap_for(8).weeks[:2]
    assert first.focus != second.focus
    assert not set(first.topics) & set(second.topics)


def test_every_topic_formula_and_drill_is_scheduled_in_every_plan(kb: KnowledgeBase) -> None:
    ids = [t.id for t in kb.topics] + [f.id for f in kb.formulas] + [d.id for d in kb.drills]
    covering = coverage(kb)
    for item_id in ids:
        covered = covering.weeks(item_id)
        assert set(covered) == {r.id for r in kb.roadmaps}, f"{item_id} is missing from a plan"


def test_deck_is_large_enough_and_mixes_card_kinds(kb: KnowledgeBase) -> None:
    cards = [card for topic in kb.topics for card in topic.cards]
    notes = len(cards) + len(kb.formulas) + len(kb.drills) + len(kb.misconceptions)
    assert notes >= 200
    assert {type(c) for c in cards} == {BasicCard, ReversibleCard, ClozeCard}
    assert all(len(topic.cards) >= 4 for topic in kb.topics), "every topic needs a handful of cards"


def test_cards_follow_the_minimum_information_principle(kb: KnowledgeBase) -> None:
    for topic in kb.topics:
        for card in topic.cards:
            if isinstance(card, BasicCard):
                assert len(plain(card.answer).split()) <= 45, f"{card.id}: answer too long to recall in seconds"
                lists = [b for b in parse(card.answer) if isinstance(b, ItemList)]
                assert all(len(b.items) <= 4 for b in lists), f"{card.id}: asks for a long list"
            if isinstance(card, ClozeCard):
                deletions = set(re.findall(r"\{\{c(\d+)::", card.cloze))
                assert len(deletions) <= 5, f"{card.id}: too many deletions"


def test_required_formulas_have_legends_and_worked_examples(kb: KnowledgeBase) -> None:
    ids = {f.id for f in kb.formulas}
    assert ids >= REQUIRED_FORMULAS
    for formula in kb.formulas:
        assert formula.symbols, formula.id
        assert re.search(r"\d", formula.example), f"{formula.id}: example has no numbers"
        assert kb.formula_topic(formula.id) is not None, f"{formula.id} is linked from no topic"


def test_drills_have_one_right_answer_and_a_reason_for_every_choice(kb: KnowledgeBase) -> None:
    assert len(kb.drills) >= 14
    for drill in kb.drills:
        assert sum(c.key == drill.answer for c in drill.choices) == 1, drill.id
        assert len(drill.choices) >= 3, drill.id
        assert all(c.why.strip() for c in drill.choices), drill.id
    scenarios = " ".join(d.scenario for d in kb.drills)
    assert "LLM-4829" in scenarios, "the guide's debugger challenge is missing"
    assert "page 25" in scenarios or "middle" in scenarios, "the guide's lost-in-the-middle case is missing"


def test_all_guide_references_are_present(kb: KnowledgeBase) -> None:
    titles = {r.title for r in kb.references}
    assert [t for t in GUIDE_REFERENCE_TITLES if t not in titles] == []


def test_frameworks_cover_scale_and_stories(kb: KnowledgeBase) -> None:
    scale = next(f for f in kb.frameworks if f.id == "scale")
    names = [s.name.lower().replace("&", "and") for s in scale.steps]
    assert names == ["scenario", "components", "architecture", "latency and cost", "evaluation"]
    assert any(f.kind == "story" for f in kb.frameworks)
    assert len(kb.misconceptions) >= 5


def test_drill_answers_cannot_be_guessed_from_their_length(kb: KnowledgeBase) -> None:
    for drill in kb.drills:
        others = [len(c.text) for c in drill.choices if c.key != drill.answer]
        assert len(drill.right.text) <= 1.3 * sum(others) / len(others), f"{drill.id}: the right choice stands out"


def test_right_answers_are_spread_over_the_letters(kb: KnowledgeBase) -> None:
    letters = [drill.letter(drill.right) for drill in kb.drills]
    assert max(letters.count(x) for x in set(letters)) <= len(letters) // 2


# ---------------------------------------------------------------- cards that stand alone and teach one thing

#: Phrases that only make sense next to another card ("Same example, ...").
POINTING_PHRASES = (
    "same example",
    "as above",
    "see above",
    "the suite",
    "previous card",
    "the card above",
    "the example above",
    "same numbers",
    "with the same n",
)

_CLOZE_DELETION = re.compile(r"\{\{c(\d+)::(.*?)(?:::[^}]*)?\}\}")
_SMALL_WORDS = {"about", "each", "from", "into", "only", "than", "that", "their", "them", "they", "this", "what"}
_YES_NO_START = re.compile(r"(Is|Are|Does|Do|Did|Can|Could|Should|Would|Will|Was|Were|Has|Have)\b")


def card_texts(card: BasicCard | ReversibleCard | ClozeCard) -> list[str]:
    """Return every text a learner sees on a card's front or back."""
    if isinstance(card, BasicCard):
        texts = [card.question, card.answer]
    elif isinstance(card, ReversibleCard):
        texts = [card.term, card.meaning]
    else:
        texts = [card.cloze]
    return [*texts, card.extra]


def list_items(answer: str) -> list[str]:
    """Return the items when an answer's first sentence is nothing but a list ("A, B and C"), else [].

    Parentheticals and examples after "such as" are ignored: they illustrate one answer, they do not ask for a list.
    """
    text = re.sub(r"\s*\([^)]*\)", "", plain(answer).strip())
    first = re.split(r";\s|:\s|\.\s|\.$", text)[0]
    first = re.split(r",?\s+(?:such as|e\.g\.|for example|for instance|including|like)\s", first)[0]
    parts = [p.strip() for p in re.split(r",\s+", first)]
    if len(parts) < 2:
        return []
    last = [p for p in re.split(r"^(?:and|or)\s+|\s+(?:and|or)\s+", parts[-1], maxsplit=1) if p]
    parts = parts[:-1] + last
    return parts if len(parts) >= 3 and all(0 < len(p.split()) <= 5 for p in parts) else []


def deletion_words(text: str) -> set[str]:
    """Return the content words of a cloze deletion, singular, lower-case."""
    words = re.findall(r"[a-z0-9]+", plain(text).lower())
    return {w.removesuffix("s") for w in words if len(w) >= 4 and w not in _SMALL_WORDS}


def test_list_detector_tells_lists_from_sentences() -> None:
    assert list_items("Tokens per request, price per token and monthly volume.") == [
        "Tokens per request",
        "price per token",
        "monthly volume",
    ]
    assert list_items("The rubric, the sample size, and the agreement target.")
    assert not list_items("Queries that hinge on exact tokens, such as a product code, an id or an error string.")
    assert not list_items("About 1,120 GB (16 bytes per parameter), before activations.")
    assert not list_items("Latency and cost (step 4) and Evaluation (step 5).")


def test_no_card_points_at_another_card(kb: KnowledgeBase) -> None:
    for topic in kb.topics:
        for card in topic.cards:
            text = " ".join(plain(t) for t in card_texts(card)).lower()
            found = [p for p in POINTING_PHRASES if p in text]
            assert not found, f"{card.id}: {found} only makes sense next to another card"


def test_no_basic_answer_is_a_list_of_three_or_more(kb: KnowledgeBase) -> None:
    for topic in kb.topics:
        for card in topic.cards:
            if isinstance(card, BasicCard):
                items = list_items(card.answer)
                assert not items, f"{card.id}: the answer lists {items}; make it a cloze with one deletion per item"


def test_no_basic_question_is_a_yes_no_question(kb: KnowledgeBase) -> None:
    for topic in kb.topics:
        for card in topic.cards:
            if isinstance(card, BasicCard):
                assert not _YES_NO_START.match(plain(card.question)), f"{card.id}: a yes/no question is half guessable"


def test_deletions_of_one_cloze_note_share_no_text(kb: KnowledgeBase) -> None:
    for topic in kb.topics:
        for card in topic.cards:
            if not isinstance(card, ClozeCard):
                continue
            bodies: dict[str, list[str]] = {}
            for number, body in _CLOZE_DELETION.findall(card.cloze):
                bodies.setdefault(number, []).append(body)
            words = {n: deletion_words(" ".join(b)) for n, b in bodies.items()}
            numbers = sorted(words)
            for i, first in enumerate(numbers):
                for second in numbers[i + 1 :]:
                    shared = words[first] & words[second]
                    assert not shared, f"{card.id}: c{first} and c{second} share {sorted(shared)}"


# ---------------------------------------------------------------- plans that nest and balance


def week_card_counts(kb: KnowledgeBase, roadmap: Roadmap) -> list[int]:
    """Count the Anki cards each week introduces, placing every note in the first week that teaches it."""
    cards: dict[tuple[str, str], int] = {(n.kind, n.source_id): len(n.card_ords) for n in collect_notes(kb).notes}
    listed_drills = {d for week in roadmap.weeks for d in week.drills}
    placed: set[tuple[str, str]] = set()
    counts = []
    for week in roadmap.weeks:
        keys: list[tuple[str, str]] = []
        for topic_id in week.topics:
            topic = kb.topic(topic_id)
            keys += [(card_kind(c), c.id) for c in topic.cards]
            keys += [("formula", f) for f in topic.formulas]
            keys += [("misconception", m.id) for m in kb.misconceptions if m.topic == topic_id]
            keys += [("drill", d.id) for d in kb.drills if d.topic == topic_id and d.id not in listed_drills]
        keys += [("formula", f) for f in week.formulas] + [("drill", d) for d in week.drills]
        fresh = [k for k in dict.fromkeys(keys) if k not in placed]
        placed.update(fresh)
        counts.append(sum(cards[k] for k in fresh))
    assert placed == set(cards), f"{roadmap.id} leaves notes unplaced: {sorted(set(cards) - placed)[:5]}"
    return counts


def test_week_k_of_the_short_plan_holds_weeks_2k_minus_1_and_2k_of_the_long_one(kb: KnowledgeBase) -> None:
    short, long = kb.roadmap_for(4), kb.roadmap_for(8)
    for k, week in enumerate(short.weeks):
        first, second = long.weeks[2 * k], long.weeks[2 * k + 1]
        assert week.topics == first.topics + second.topics, f"week {k + 1}: topics"
        assert week.formulas == first.formulas + second.formulas, f"week {k + 1}: formulas"
        assert week.drills == first.drills + second.drills, f"week {k + 1}: drills"


def test_eight_week_plan_follows_the_guide(kb: KnowledgeBase) -> None:
    weeks = kb.roadmap_for(8).weeks
    assert {"attention-mechanism", "attention-scaling"} <= set(weeks[0].topics)
    assert "positional-encoding" in weeks[1].topics
    assert {"embeddings-similarity", "vector-search"} <= set(weeks[2].topics)
    assert {"chunking", "rag-pipeline"} <= set(weeks[3].topics)
    assert {"lora-qlora", "instruction-tuning", "rlhf", "dpo"} <= set(weeks[4].topics)
    assert {"kv-cache", "quantization", "continuous-batching", "cost-modeling"} <= set(weeks[5].topics)
    assert {"react-plan-execute", "function-calling", "mcp", "agent-failures"} <= set(weeks[6].topics)
    assert {"scale-framework", "design-rag-support", "design-search-engine", "design-code-completion"} <= set(
        weeks[7].topics
    )


def test_no_week_holds_more_than_a_quarter_above_the_mean(kb: KnowledgeBase) -> None:
    for roadmap in kb.roadmaps:
        counts = week_card_counts(kb, roadmap)
        mean = sum(counts) / len(counts)
        assert max(counts) <= 1.25 * mean, f"{roadmap.id}: cards per week {counts}, mean {mean:.1f}"


def test_the_committed_stamps_are_those_a_build_of_the_source_writes(kb: KnowledgeBase, tmp_path: Path) -> None:
    # Stale stamps would give every clone's first build new mod times: learners' edits lost on their next import.
    committed = SOURCE.with_name("knowledge.stamps.json")
    stamps = shutil.copy(committed, tmp_path / "knowledge.stamps.json")
    report = build_deck(kb, tmp_path / "out", stamps_path=Path(stamps))
    assert (report.changes.new, report.changes.changed, report.changes.removed) == (0, (), 0)
    assert Path(stamps).read_bytes() == committed.read_bytes(), "build the default course and commit its stamps"
