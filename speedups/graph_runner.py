"""Run Rasa's graph by a plan made once per set of targets, instead of through dask each time.

Rasa 3.6 runs its graph 2-3 times per learner message (parse, then each predicted action). Each
run works out the minimal schema for the targets again, builds a dask task graph, and hands it to
dask's synchronous scheduler, which orders the tasks and keeps its own state per run. Under
`make bench` load, py-spy shows a visible share of the Rasa server's CPU in that machinery, outside
the graph's own nodes (`DaskGraphRunner.run` inclusive against the nodes' own time).

The graph never changes after loading, so the order in which nodes run for given targets can be
worked out once: every node after the nodes it needs (a depth-first walk from the targets, in
their order and in the order of each node's needs). A run then calls each node of the plan with
its inputs, as dask does:
- a need that names a node or a run input gets that node's (name, output) pair or the input pair
  Rasa's `_add_inputs_to_graph` would make; any other need is passed as is (GraphNode then
  reports the missing input, as with dask);
- the result maps each target to its output, as Rasa's `dict(dask.get(...))` of (name, output)
  pairs does;
- a `RuntimeError` becomes Rasa's `GraphRunError`; other errors pass unchanged, as with dask's
  synchronous scheduler.
A run whose input names a node of the plan (dask would replace that node by the input) goes to
Rasa's own `run`. A quick `scripts/bench.py` run at 10 learners with and without it shows what it
saves. tests/model/test_graph_runner.py compares every parse of the NLU test set and
every prediction of the test and training stories with Rasa's runner. Installed with the others by
speedups.install().
"""
from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, NamedTuple, Optional, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner

Step = Tuple[str, Any, Tuple[str, ...]]


class Plan(NamedTuple):
    steps: Tuple[Step, ...]  # (node name, node, names of what it needs), each after its needs
    names: FrozenSet[str]  # the nodes of the plan, for the per-run check of input names


_original_run = DaskGraphRunner.run


def plan_for(schema: GraphSchema, nodes: Dict[str, Any], targets: List[str]) -> Plan:
    """Every node the targets need, each after its needs."""
    minimal = schema.minimal_graph_schema(targets).nodes
    ordered: List[Step] = []
    placed = set()

    def place(name: str) -> None:
        # The schema is a checked DAG (GraphSchema validation), so the walk ends.
        if name in placed or name not in minimal:
            return
        placed.add(name)
        needs = tuple(minimal[name].needs.values())
        for need in needs:
            place(need)
        ordered.append((name, nodes[name], needs))

    for target in targets:
        place(target)
    return Plan(tuple(ordered), frozenset(placed))


def _plans(runner: DaskGraphRunner) -> Dict[Tuple[str, ...], Plan]:
    plans = runner.__dict__.get("_plr_plans")
    if plans is None:
        plans = runner.__dict__["_plr_plans"] = {}
    return plans


def run(self: DaskGraphRunner, inputs: Optional[Dict[str, Any]] = None,
        targets: Optional[List[str]] = None) -> Dict[str, Any]:
    run_targets = list(targets if targets else self._graph_schema.target_names)
    key = tuple(run_targets)
    plans = _plans(self)
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = plan_for(self._graph_schema, self._instantiated_nodes, run_targets)
    inputs = inputs or {}
    if not plan.names.isdisjoint(inputs):
        return _original_run(self, inputs, targets)
    if any(isinstance(value, str) and value in plan.names for value in inputs.values()):
        return _original_run(self, inputs, targets)  # Rasa's own error for this clash
    # Needs are node or input names (SchemaNode.needs is Dict[Text, Text]); an unknown one is
    # passed as is, as dask does.
    values: Dict[str, Any] = {name: (name, value) for name, value in inputs.items()}
    try:
        for name, node, needs in plan.steps:
            values[name] = node(*[values.get(need, need) for need in needs])
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(values[target] for target in run_targets)


def install() -> None:
    DaskGraphRunner.run = run


def uninstall() -> None:
    DaskGraphRunner.run = _original_run
