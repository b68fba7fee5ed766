"""The publish order: the packages' dependency graph in order, or its cycles (pure). Nodes
are normalized names; an edge runs from a package to a package it requires, outright or
through an extra."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from pytest_release.problems import Problem
from pytest_release.target.pyproject import relative

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pytest_release.target.monorepo import Monorepo, Package


def publish_order(unordered: Monorepo, problems: list[Problem]) -> tuple[Package, ...]:
    """Every package after the packages it requires outright, and after those an extra of
    it requires unless that closes a cycle; ties go to the smaller normalized name. A cycle
    of required dependencies has no order: a problem each."""
    by_key = {package.key: package for package in unordered.packages}
    required = {
        key: {dependency.key for dependency in unordered.internal_dependencies(package)}
        for key, package in by_key.items()
    }
    requested = {  # extras included
        key: {unordered.package(r.name).key for r in unordered.internal_requirements(package)}
        for key, package in by_key.items()
    }
    found = cycles(required)
    for cycle in found:
        names = [by_key[key].name for key in cycle]
        problems.append(
            Problem(
                what=f"internal dependencies form a cycle: {' -> '.join([*names, names[0]])}; "
                "no publish order puts each package after the packages it requires",
                where=", ".join(relative(by_key[key].pyproject, unordered.root) for key in cycle),
                fix=f"break the cycle: drop one requirement in it (for example {names[0]}'s "
                f"requirement on {names[1 % len(names)]}) or move it into an extra (a cycle "
                "through an extra does not stop a release: pip installs it), or move the "
                "shared code into a package that both can require",
            )
        )
    return () if found else tuple(by_key[key] for key in dependency_order(required, requested))


def dependency_order(
    required: Mapping[str, set[str]], requested: Mapping[str, set[str]]
) -> list[str]:
    """Every node after the nodes it requires (``required``, which has no cycle), and after
    the others it asks for (``requested``: through an extra) wherever that closes no cycle;
    ties go to the smaller name."""
    placed: set[str] = set()
    order: list[str] = []
    remaining = set(required)
    while remaining:
        ready = sorted(node for node in remaining if required[node] <= placed)
        # What an extra asks for comes first unless nothing could be placed then.
        node = next((each for each in ready if requested[each] <= placed), ready[0])
        order.append(node)
        placed.add(node)
        remaining.remove(node)
    return order


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each node not already named in a cycle found before."""
    found: list[list[str]] = []
    named: set[str] = set()
    for start in sorted(edges):
        if start in named:
            continue
        parents: dict[str, str] = {}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if start in edges[node]:
                cycle = [node]
                while cycle[-1] != start:
                    cycle.append(parents[cycle[-1]])
                found.append(cycle[::-1])
                named.update(cycle)
                break
            for dependency in sorted(edges[node] - parents.keys()):
                parents[dependency] = node
                queue.append(dependency)
    return found
