"""The nbval step of `make test` fails on a broken chapter and passes on a sound one."""

import subprocess
import sys
from pathlib import Path

from notebooks import find_chapters, is_notebook

SCRIPT = Path(__file__).with_name("notebooks.py")

HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A tiny chapter
"""


def write_chapter(path, *cells):
    body = "".join(f"\n```{{code-cell}} ipython3\n{cell}\n```\n" for cell in cells)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def run_script(tmp_path, chapter):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--outdir", str(tmp_path / "out"), str(chapter)],
        capture_output=True, text=True, timeout=300,
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_sound_chapter_passes(tmp_path):
    chapter = write_chapter(tmp_path / "sound.md", "x = 6 * 7", "assert x == 42")
    status, out = run_script(tmp_path, chapter)
    assert status == 0, out
    assert "2 passed" in out


def test_failing_cell_fails_and_is_named(tmp_path):
    chapter = write_chapter(
        tmp_path / "broken.md", "x = 1", "raise ValueError('deliberate failure')", "y = 2"
    )
    status, out = run_script(tmp_path, chapter)
    assert status != 0, out
    assert "broken.ipynb::Cell 1" in out
    assert "deliberate failure" in out


def test_raises_exception_tag_is_honoured(tmp_path):
    chapter = tmp_path / "tagged.md"
    chapter.write_text(
        HEADER
        + "\n```{code-cell} ipython3\n:tags: [raises-exception]\n\n1 / 0\n```\n"
        + "\n```{code-cell} ipython3\nassert True\n```\n",
        encoding="utf-8",
    )
    status, out = run_script(tmp_path, chapter)
    assert status == 0, out


def test_plain_markdown_is_not_a_notebook(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Just text\n\n---\n\nkernelspec: not front matter\n", encoding="utf-8")
    assert not is_notebook(page)
    assert is_notebook(write_chapter(tmp_path / "nb.md", "pass"))


def test_book_chapters_are_found():
    names = [p.name for p in find_chapters()]
    assert "getting-started.md" in names
    assert "intro.md" not in names
