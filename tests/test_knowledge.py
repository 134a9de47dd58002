"""The default course in source/knowledge.yaml: complete, scheduled, and shaped for learning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prepexport.course.coverage import coverage
from prepexport.load import Loaded, load_file
from prepexport.markup import ItemList, parse, plain
from prepexport.model import BasicCard, ClozeCard, KnowledgeBase, ReversibleCard

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
