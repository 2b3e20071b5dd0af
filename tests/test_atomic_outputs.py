"""Public outputs are written whole or not at all (:mod:`heatplan.outputs.atomic`): a writer that
fails half-way leaves the earlier file as it was and no temporary file beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from heatplan.outputs.atomic import partial_path, replacing, write_text
from heatplan.outputs.xlsx import write_xlsx

EARLIER = b"the earlier file, complete"


def _earlier(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(EARLIER)
    return path


def _half_then_fail(target: Any, *_: Any, **__: Any) -> None:
    """A writer that writes part of its file, then fails (a full disk, a killed renderer)."""
    Path(target).write_bytes(b"half a fi")
    raise OSError("no space left on device")


def _untouched(path: Path) -> None:
    assert path.read_bytes() == EARLIER
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file


def test_replacing_moves_a_complete_file_into_place(tmp_path: Path) -> None:
    path = _earlier(tmp_path, "plan.html")
    with replacing(path) as partial:
        assert partial.parent == path.parent and partial.suffix == ".html" and partial != path
        partial.write_text("new", encoding="utf-8")
        assert path.read_bytes() == EARLIER  # the earlier file until the new one is whole
    assert path.read_text(encoding="utf-8") == "new"
    assert not partial.exists()


def test_replacing_keeps_the_earlier_file_on_an_error(tmp_path: Path) -> None:
    path = _earlier(tmp_path, "plan.xlsx")
    with pytest.raises(OSError, match="no space"), replacing(path) as partial:
        _half_then_fail(partial)
    _untouched(path)


def test_a_failed_html_write_keeps_the_earlier_report(tmp_path: Path) -> None:
    path = _earlier(tmp_path, "plan.html")
    with pytest.raises(UnicodeEncodeError):
        write_text(path, "<html>Wärmeplan \udc80</html>")  # fails after the file was opened
    _untouched(path)
    # Path.write_text (what the report used to call) leaves an empty file in its place
    with pytest.raises(UnicodeEncodeError):
        path.write_text("<html>Wärmeplan \udc80</html>", encoding="utf-8")
    assert path.read_bytes() == b""


def test_a_failed_xlsx_write_keeps_the_earlier_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_export_tables import make_layers

    path = _earlier(tmp_path, "plan.xlsx")
    monkeypatch.setattr(Workbook, "save", lambda _, filename: _half_then_fail(filename))
    with pytest.raises(OSError, match="no space"):
        write_xlsx(path, areas=make_layers()["areas"])
    _untouched(path)


@pytest.mark.parametrize("annex", [False, True], ids=["one part", "parts joined"])
def test_a_failed_pdf_write_keeps_the_earlier_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, annex: bool
) -> None:
    import pypdf
    import weasyprint

    from heatplan.report import render

    path = _earlier(tmp_path, "plan.pdf")
    if annex:  # the parts are rendered elsewhere; the join writes the file
        monkeypatch.setattr(render, "split", lambda html: ["main", "annex"])
        parts = [_blank_part()]
        monkeypatch.setattr(render, "render_parts", lambda *a, **k: parts)
        monkeypatch.setattr(pypdf.PdfWriter, "write", lambda self, stream: _half(stream))
    else:
        monkeypatch.setattr(
            weasyprint.Document, "write_pdf", lambda _, target: _half_then_fail(target)
        )
    with pytest.raises(OSError, match="no space"):
        render.write_pdf("<html><body><p>Wärmeplan</p></body></html>", path, base_url=tmp_path)
    _untouched(path)


def test_a_pdf_is_written_whole(tmp_path: Path) -> None:
    from heatplan.report.render import write_pdf

    path = _earlier(tmp_path, "plan.pdf")
    pages = write_pdf("<html><body><p>Wärmeplan</p></body></html>", path, base_url=tmp_path)
    assert pages == 1 and path.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.pdf"]


def _blank_part() -> Any:
    """A rendered part of one empty A4 page (what :func:`render_parts` returns)."""
    import io

    import pypdf

    from heatplan.report.pdf_parts import Rendered

    writer, buffer = pypdf.PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(buffer)
    return Rendered(buffer.getvalue(), 1, anchors={}, bookmarks=[[]], heights=[1123.0])


def _half(stream: Any) -> None:
    stream.write(b"%PDF-1.7 half")
    raise OSError("no space left on device")


def test_a_failed_gpkg_export_keeps_the_earlier_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from heatplan.outputs import gpkg
    from test_export_tables import make_layers

    path = _earlier(tmp_path, "public.gpkg")
    # the layers are written, then the QGIS project fails
    monkeypatch.setattr(gpkg, "write_qgis_content", lambda *a, **k: _half_then_fail(tmp_path / "x"))
    with pytest.raises(OSError, match="no space"):
        gpkg.write_gpkg({"areas": make_layers()["areas"]}, path)
    (tmp_path / "x").unlink()
    _untouched(path)


def test_the_partial_file_is_hidden_and_per_process(tmp_path: Path) -> None:
    partial = partial_path(tmp_path / "plan.pdf")
    assert partial.name.startswith(".plan.") and partial.name.endswith(".partial.pdf")


def test_a_failed_gml_write_keeps_the_earlier_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xml.etree.ElementTree as ET

    from heatplan.outputs.xwp.gml import write_gml

    path = _earlier(tmp_path, "plan.gml")
    monkeypatch.setattr(ET.ElementTree, "write", lambda _, handle, **__: _half(handle))
    with pytest.raises(OSError, match="no space"):
        write_gml([], srid=25832, path=path)
    _untouched(path)
    monkeypatch.undo()
    assert write_gml([], srid=25832, path=path) == path
    assert path.read_bytes().startswith(b"<?xml") and len(list(tmp_path.iterdir())) == 1
