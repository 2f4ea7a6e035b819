"""Whatever derive writes, derive audits as right: every document `derive latex` writes, in
every preset and in a notation of the user's own (FILE.toml), read back with --notation auto and
with the notation named, has no item unreadable, undecided, wrong or skipped, except the update
rules (definitions). This is issue 10's "every notation the tool can write it can read back",
taken all the way to the verdicts."""
from __future__ import annotations

import json

import pytest

from derive.cli import main
from derive.document.notation import NOTATIONS

TOML = '''name = "course-pages"
extends = "arrows"
weight_order = "from-to"
delta_is_partial = true
functions = ["N"]

[templates]
node = ["a_{<l>}^{<i>}"]
weight = ["w_{<p>}^{<ij>}"]
'''


def audited(tmp_path, capsys, arch: list[str], notation: str, read_as: str, wrt: tuple = ()) -> tuple[int, list]:
    document = tmp_path / "d.md"
    assert main(["latex", *arch, *wrt, "--notation", notation, "-o", str(document), "--quiet"]) == 0
    capsys.readouterr()
    status = main(["audit", str(document), "--arch", arch[0], *arch[1:], "--notation", read_as,
                   "--format", "json", "--quiet"])
    return status, json.loads(capsys.readouterr().out)["items"]


def assert_all_right(status: int, items: list[dict]) -> None:
    others = [i for i in items if i["verdict"] != "right"]
    assert all(i["verdict"] == "skipped" and "update rule" in i["diagnosis"] for i in others), others
    assert status == 0 and len(items) - len(others) >= 30


@pytest.mark.parametrize("name", sorted(NOTATIONS))
def test_every_preset_document_audits_as_right_with_auto(name, tmp_path, capsys):
    assert_all_right(*audited(tmp_path, capsys, ["3-2-2"], name, "auto"))


@pytest.mark.parametrize("name", sorted(NOTATIONS))
def test_every_preset_document_with_biases_and_softmax_audits_as_right_in_its_notation(name, tmp_path, capsys):
    arch = ["2-3-2", "--activation", "tanh,softmax", "--loss", "cross-entropy", "--bias"]
    assert_all_right(*audited(tmp_path, capsys, arch, name, name, wrt=("--wrt", "W1[2,1]")))


def test_a_user_notation_document_audits_as_right_in_it(tmp_path, capsys):
    path = tmp_path / "course.toml"
    path.write_text(TOML)
    assert_all_right(*audited(tmp_path, capsys, ["3-2-2", "--bias"], str(path), str(path)))
