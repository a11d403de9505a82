"""HTML reader: a whole-story download and a single chapter page, both hand-written fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator.errors import InputError
from narrator.formats import READERS, sniff
from narrator.formats.html import read_html
from narrator.models import Story

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def _read(name: str) -> Story:
    path = FIXTURES / name
    data = path.read_bytes()
    assert sniff(data, path) == "html"
    return READERS["html"](data, path)


def _spans(story: Story, spans) -> list[str]:
    return [story.text[s.start : s.end] for s in spans]


def test_html_download_metadata_from_the_header() -> None:
    story = _read("ao3_like.html")
    assert story.title == "The Clockmaker's Daughter"
    assert story.author == "Pell Ravensworth"
    assert story.description == "Odile fixes every clock in town but one."


def test_html_download_chapters_and_nothing_of_preface_or_afterword() -> None:
    story = _read("ao3_like.html")
    assert [t for _, t in story.chapter_hints] == ["Chapter 1: Springs", "Chapter 2: The Tower Clock"]
    assert _spans(story, [s for s, _ in story.chapter_hints]) == [t for _, t in story.chapter_hints]
    for unwanted in ("tracker", "font-family", "Rating", "downloaded from", "afterword line", "comment",
                     "Summary", "Pell Ravensworth", "fixes every clock"):
        assert unwanted not in story.text
    assert story.text.startswith("Chapter 1: Springs\n\n")
    assert story.text.endswith("Odile climbed the 112 steps with her toolbag.")


def test_html_download_notes_thoughts_emphasis_and_breaks() -> None:
    story = _read("ao3_like.html")
    assert _spans(story, story.notes) == [
        "Notes:\n\nWritten on a train. Forgive the typos.",
        "Chapter End Notes\n\nNext chapter on Sunday.",
    ]
    assert _spans(story, story.thoughts) == ["Please don't be the mainspring."]
    assert _spans(story, story.emphasis) == ["smallest"]
    assert "mainspring.\n\n* * *\n\nIt was the mainspring." in story.text


def test_html_chapter_page_drops_site_furniture() -> None:
    story = _read("chapter_page.html")
    assert (story.title, story.author) == ("Night Market", "Juniper Vale")
    assert story.description == "A chapter of a longer serial about a night market."
    assert story.text == (
        "Chapter 4: Lanterns\n\n"
        "The stalls opened when the last tram had gone.\n\n"
        "Ines bought a paper lantern shaped like a fish, then another shaped like a moon.\n\n"
        "Grandmother would have haggled.\n\n"
        "She paid full price anyway.\n\n"
        "It felt like the right thing."
    )
    assert [t for _, t in story.chapter_hints] == ["Chapter 4: Lanterns"]
    assert _spans(story, story.thoughts) == ["Grandmother would have haggled."]
    assert _spans(story, story.emphasis) == ["fish"]


def test_html_without_story_text_raises_input_error() -> None:
    path = FIXTURES / "no_text.html"
    with pytest.raises(InputError, match="no story text"):
        read_html(path.read_bytes(), path)


def test_html_bare_fragment_with_breaks_and_flat_author_note() -> None:
    data = (
        b"<html><body><p>A/N: quick one.</p><p>Rain.<br/><br/>More rain.</p><p>~~~</p><p>Sun.</p>"
        b"<p>Author's Note:</p><p>Reviews make me write faster.</p></body></html>"
    )
    story = read_html(data, None)
    assert story.title == "Untitled"
    assert story.text == (
        "A/N: quick one.\n\nRain.\n\nMore rain.\n\n* * *\n\nSun.\n\n"
        "Author's Note:\n\nReviews make me write faster."
    )
    assert _spans(story, story.notes) == ["A/N: quick one.", "Author's Note:\n\nReviews make me write faster."]
    assert story.chapter_hints == ()


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"<!DOCTYPE html><html><body>x</body></html>", None, "html"),
        (b"\xef\xbb\xbf  <html><body>x</body></html>", "story.txt", "html"),
        (b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'></html>", None, "html"),
        (b"Plain story text.\n\nChapter 1", "story.txt", None),
        (b"Plain story text.", None, None),
        (b"# Title\n\nText", "story.md", "markdown"),
        (b"# Title\n\nText", "story.markdown", "markdown"),
        (b"<p>fragment</p>", "page.htm", "html"),
        # No name (stdin): Markdown only on clear signs; a lone "# Title" is a plain-text habit too.
        (b"---\ntitle: Moths\nauthor: A. Finch\n---\n\nText", None, "markdown"),
        (b"# Moths\n\nShe read the **whole** thing.", None, "markdown"),
        (b"# Moths\n\nSee [the map](https://example.com/map).", None, "markdown"),
        (b"# Moths\n\nShe read the whole thing.", None, None),
        (b"She said **that** twice.\n\nNo headings here.", None, None),
        (b"---\ntitle: Moths\n---\nText", "story.txt", None),
    ],
)
def test_formats_sniff(data: bytes, name: str | None, expected: str | None) -> None:
    assert sniff(data, Path(name) if name else None) == expected


def test_html_download_notes_are_not_read_unless_asked_for() -> None:
    # The reader found the notes, but the chapter splitter never looked at them: "Notes: Written on a train"
    # and "Chapter End Notes" were read aloud in the build.
    from narrator.chapters import split_chapters

    story = _read("ao3_like.html")

    def said(**kw) -> str:  # type: ignore[no-untyped-def]
        return " ".join(story.text[p.start:p.end] for c in split_chapters(story, **kw) for p in c.paragraphs)

    assert "Written on a train" not in said() and "Next chapter on Sunday" not in said()
    assert "Odile climbed the 112 steps" in said()
    assert "Written on a train" in said(include_notes=True) and "Next chapter on Sunday" in said(include_notes=True)


def test_html_note_label_stops_where_the_story_resumes() -> None:
    from narrator.chapters import split_chapters

    page = (b"<html><body><h2>Chapter 1</h2><p>Author's Note:</p><p>Sorry it took so long.</p>"
            b"<p>The rain came at dusk.</p><p>\"Inside,\" said Mara.</p><hr/><p>Morning.</p></body></html>")
    story = READERS["html"](page, Path("page.html"))
    said = " ".join(story.text[p.start:p.end] for c in split_chapters(story) for p in c.paragraphs)
    assert "The rain came at dusk." in said and "Inside" in said and "Sorry it took so long" not in said


@pytest.mark.parametrize("quoted", ["'Inside,' said Mara.", "\u2018Inside,\u2019 said Mara."])
def test_html_note_label_stops_where_single_quoted_dialogue_resumes(quoted: str) -> None:
    # UK-style quotation marks are dialogue as much as double ones: the note ran on to the break.
    from narrator.chapters import split_chapters

    page = ("<html><body><h2>Chapter 1</h2><p>Author's Note:</p><p>Sorry it took so long.</p>"
            f"<p>The rain came at dusk.</p><p>{quoted}</p><hr/><p>Morning.</p></body></html>").encode()
    story = READERS["html"](page, Path("page.html"))
    said = " ".join(story.text[p.start:p.end] for c in split_chapters(story) for p in c.paragraphs)
    assert "The rain came at dusk." in said and "Inside" in said and "Sorry it took so long" not in said


def test_html_fanfiction_net_chapter_page_header_is_metadata() -> None:
    # A saved FanFiction.Net chapter page (hand-written in its shape): the header block was read aloud as the
    # first lines ("Starlit Road By: Nyx Quill") and the book was titled from <title>, chapter name and all.
    page = b"""<html><head><title>Starlit Road Chapter 3: Embers, a harry potter fanfic | FanFiction</title></head>
    <body><div id="profile_top"><b class="xcontrast_txt">Starlit Road</b> By: <a href="/u/1/Nyx-Quill">Nyx Quill</a>
    <div class="xcontrast_txt">Harry and Luna take the long way home.</div>
    <span class="xgray">Rated: Fiction K - English - Words: 900</span></div>
    <select id="chap_select"><option value="3" selected>3. Embers</option></select>
    <div class="storytext xcontrast_txt nocopy" id="storytext"><p>The fire had burned low.</p>
    <p>"Are you cold?" Luna asked.</p></div><div id="review">Reviews</div></body></html>"""
    story = READERS["html"](page, Path("page.html"))
    assert (story.title, story.author, story.description) == (
        "Starlit Road", "Nyx Quill", "Harry and Luna take the long way home.")
    # The page's own chapter name (the selected entry of its chapter list) heads the text.
    assert story.text.strip() == 'Chapter 3: Embers\n\nThe fire had burned low.\n\n"Are you cold?" Luna asked.'


def _ffn_page(option: str, body: str) -> bytes:
    # The shape of a saved FanFiction.Net chapter page: header block, the chapter list (top and bottom), the text.
    chapters = f'<select id="chap_select"><option value="2">2. Ashes</option><option value="3" selected>{option}</option></select>'
    return f"""<html><head><title>Starlit Road Chapter 3, a harry potter fanfic | FanFiction</title></head>
    <body><div id="profile_top"><b>Starlit Road</b> By: <a href="/u/1/Nyx-Quill">Nyx Quill</a>
    <div>Harry and Luna take the long way home.</div></div>{chapters}
    <div class="storytext" id="storytext">{body}</div>{chapters.replace('chap_select', 'chap_select_bottom')}
    </body></html>""".encode()


@pytest.mark.parametrize(("option", "title"), [
    ("3. Embers", "Chapter 3: Embers"),
    ("3. Chapter 3", "Chapter 3"),          # an unnamed chapter: FanFiction.Net lists it as "Chapter N"
    ("3. Part Three: Embers", "Part Three: Embers"),
])
def test_html_fanfiction_net_chapter_name_is_the_chapter_title(option: str, title: str) -> None:
    from narrator.chapters import split_chapters

    story = read_html(_ffn_page(option, "<p>The fire had burned low.</p><p>Luna did not answer.</p>"), Path("p.html"))
    (chapter,) = split_chapters(story)
    assert chapter.title == title
    assert story.text.count("burned low") == 1 and story.text.startswith(title)


def test_html_fanfiction_net_chapter_heading_in_the_text_is_not_doubled() -> None:
    from narrator.chapters import split_chapters

    body = "<p><strong>Chapter 3: Embers</strong></p><p>The fire had burned low.</p>"
    story = read_html(_ffn_page("3. Embers", body), Path("p.html"))
    (chapter,) = split_chapters(story)
    assert chapter.title == "Chapter 3: Embers" and story.text.count("Embers") == 1


def test_html_fanfiction_net_page_chrome_is_not_read() -> None:
    # A saved FanFiction.Net page keeps the site's top bar, breadcrumbs and review box in plain <div>s (no nav,
    # header or footer tags): "FanFiction | unleash your imagination" and "Books > Misc" were read as the story.
    chrome = ('<div id="top"><a href="/">FanFiction</a> | unleash your imagination</div>'
              '<div id="pre_story_links"><a href="/book/">Books</a> <a href="/book/Misc/">Misc</a></div>')
    page = _ffn_page("3. Embers", "<p>The fire had burned low.</p><p>Luna did not answer.</p>")
    page = page.replace(b"<body>", b"<body>" + chrome.encode()).replace(
        b"</body>", b'<div id="review">Review this chapter <button>Post</button></div><div>Follow/Fav</div></body>')
    story = read_html(page, Path("p.html"))
    assert story.text.strip() == "Chapter 3: Embers\n\nThe fire had burned low.\n\nLuna did not answer."
    assert (story.title, story.author) == ("Starlit Road", "Nyx Quill")


def _ao3_page(chapters: str) -> bytes:
    # The shape of a work page saved from AO3 in a browser (not its download): site header, skip link and menus,
    # the work's tag list, #workskin (preface, chapters, afterword), then the kudos box and the footer.
    return f"""<html><head><title>Tide Clock - quill_wren - Original Work [Archive of Our Own]</title></head><body>
    <ul id="skiplinks"><li><a href="#main">Main Content</a></li></ul>
    <div id="header" class="region"><h1 class="heading"><a href="/">Archive of Our Own</a></h1></div>
    <div id="main" role="main"><dl class="work meta group"><dt>Rating:</dt><dd>Teen</dd><dt>Words:</dt><dd>90</dd></dl>
    <div id="workskin"><div class="preface group"><h2 class="title heading">Tide Clock</h2>
    <h3 class="byline heading"><a rel="author" href="/users/quill_wren">quill_wren</a></h3>
    <div class="summary module" role="complementary"><h3 class="heading">Summary:</h3>
    <blockquote class="userstuff"><p>A clock that runs on the tide.</p></blockquote></div></div>
    <div id="chapters">{chapters}</div></div>
    <div id="feedback" role="complementary"><h3 class="landmark heading">Actions</h3><a href="#">Kudos</a></div></div>
    <div id="footer" role="contentinfo"><p>a project of the Organization for Transformative Works</p></div>
    </body></html>""".encode()


def _ao3_chapter(n: int, title: str, body: str) -> str:
    return (f'<div class="chapter" id="chapter-{n}"><div class="chapter preface group"><h3 class="title">'
            f'<a href="/c/{n}">Chapter {n}</a>: {title}</h3><div id="summary" class="summary module">'
            f'<h3 class="heading">Summary:</h3><blockquote class="userstuff"><p>In which time runs.</p></blockquote>'
            f'</div></div><div class="userstuff module" role="article"><h3 class="landmark heading">Chapter Text</h3>'
            f"{body}</div></div>")


def test_html_saved_ao3_work_page_reads_the_work_not_the_site() -> None:
    # Saved from the browser, the page was titled "Archive of Our Own" (the site's <h1>) and its skip link,
    # "Main Content", was read as a chapter; each chapter's "Summary:" ran into its title.
    from narrator.chapters import split_chapters

    one_shot = '<h3 class="landmark heading">Work Text:</h3><div class="userstuff"><p>The clock ticked.</p></div>'
    story = read_html(_ao3_page(one_shot), Path("page.html"))
    assert (story.title, story.author, story.description) == ("Tide Clock", "quill_wren", "A clock that runs on the tide.")
    assert story.text.strip() == "The clock ticked."
    whole = _ao3_page(_ao3_chapter(1, "Low Water", "<p>The clock ticked.</p>")
                      + _ao3_chapter(2, "High Water", "<p>The clock stopped.</p>"))
    story = read_html(whole, Path("page.html"))
    chapters = split_chapters(story)
    assert [c.title for c in chapters] == ["Chapter 1: Low Water", "Chapter 2: High Water"]
    said = " ".join(story.text[p.start:p.end] for c in chapters for p in c.paragraphs)
    assert said == "The clock ticked. The clock stopped."  # the chapter summaries are notes: --author-notes reads them
    noted = " ".join(story.text[p.start:p.end] for c in split_chapters(story, include_notes=True) for p in c.paragraphs)
    assert "In which time runs." in noted


def test_html_ao3_download_chapter_summary_is_left_out_like_its_notes() -> None:
    # AO3's download puts "Chapter Summary" and "Chapter Notes" boxes under the heading: the notes were left
    # out, the summary read aloud, label and all ("Chapter Summary. In which ...").
    page = b"""<html><body><div id="chapters" class="userstuff"><div class="meta group"><h2 class="heading">Chapter 1:
    Low Water</h2><p>Chapter Summary</p><blockquote class="userstuff"><p>In which time runs.</p></blockquote>
    <p>Chapter Notes</p><blockquote class="userstuff"><p>Thanks, beta!</p></blockquote></div>
    <div class="userstuff"><p>The clock ticked.</p></div></div></body></html>"""
    story = read_html(page, Path("dl.html"))
    from narrator.chapters import split_chapters

    (chapter,) = split_chapters(story)
    assert [story.text[p.start:p.end] for p in chapter.paragraphs] == ["The clock ticked."]


def test_html_blog_chapter_page_furniture_is_not_read() -> None:
    # A web serial's chapter page in a WordPress theme's usual markup (hand-written): the site's name and tagline,
    # "Posted on ... by ...", the "Previous Chapter | Table of Contents | Next Chapter" links above and below the
    # text and the "Like this:" box (read as a chapter of its own) were all read aloud.
    nav = '<p><a href="/4">Previous Chapter</a> | <a href="/toc">Table of Contents</a> | <a href="/6">Next Chapter</a></p>'
    page = f"""<html><head><title>Chapter 5: The Well - Moss and Ember</title></head><body>
    <header class="site-header"><p class="site-title"><a href="/">Moss and Ember</a></p>
    <p class="site-description">A web serial</p></header><main><article class="post">
    <header class="entry-header"><h1 class="entry-title">Chapter 5: The Well</h1>
    <div class="entry-meta">Posted on May 2 by <span class="author">fernwrites</span></div></header>
    <div class="entry-content">{nav}<p>The well was deep.</p><p>Next came the rope.</p>{nav}
    <div id="jp-post-flair"><h3>Like this:</h3><p>Like Loading...</p></div></div></article></main>
    <footer class="site-footer">Powered by WordPress</footer></body></html>""".encode()
    story = read_html(page, Path("ch5.html"))
    assert story.text.strip() == "The well was deep.\n\nNext came the rope."  # a story line that starts "Next" stays


_NOTE_PARAS = ["Notes:", "Meet me at the mill at midnight.", "She folded the paper twice.",
               "The wind howled all night long."]


def _bare_note_book(tmp_path: Path, kind: str, label: str) -> Path:
    """One chapter whose second paragraph is a label (a bare "Notes:" or an author's note), then plain prose."""
    paras = [label, *_NOTE_PARAS[1:]]
    if kind == "md":
        path = tmp_path / "story.md"
        path.write_text("# Chapter 1\n\nShe opened the envelope.\n\n" + "\n\n".join(paras)
                        + "\n\n---\n\nShe slept.\n\n# Chapter 2\n\nIt rained.\n", encoding="utf-8")
        return path
    body = ("<h2>Chapter 1</h2><p>She opened the envelope.</p>" + "".join(f"<p>{p}</p>" for p in paras)
            + "<hr/><p>She slept.</p>")
    if kind == "html":
        path = tmp_path / "story.html"
        path.write_text(f"<html><body>{body}<h2>Chapter 2</h2><p>It rained.</p></body></html>", encoding="utf-8")
        return path
    from ._epub import Page, write_epub

    pages = [Page("c1.xhtml", "Chapter 1", body), Page("c2.xhtml", "Chapter 2", "<h2>Chapter 2</h2><p>It rained.</p>")]
    return write_epub(tmp_path / "story.epub", title="Mill", pages=pages,
                      toc=[("c1.xhtml", "Chapter 1"), ("c2.xhtml", "Chapter 2")])


@pytest.mark.parametrize("kind", ["html", "md", "epub"])
@pytest.mark.parametrize(("label", "silenced"), [
    ("Notes:", 1),            # a bare label: the note a character finds is itself and one paragraph, as in plain text
    ("Author's Note:", 3),    # the writer's own note still runs to the scene break
    ("A/N", 3),
])
def test_formats_a_bare_notes_label_reaches_no_further_than_in_plain_text(
        tmp_path: Path, kind: str, label: str, silenced: int) -> None:
    # In HTML, EPUB and Markdown a bare "Notes:" paragraph hid up to eight paragraphs, to the next break.
    from narrator.chapters import split_chapters
    from narrator.reader import read_story

    story = read_story(_bare_note_book(tmp_path, kind, label))
    said = " ".join(story.text[p.start:p.end] for c in split_chapters(story) for p in c.paragraphs)
    heard = [p for p in _NOTE_PARAS[1:] if p in said]
    assert heard == _NOTE_PARAS[1 + silenced:]
    assert "She opened the envelope." in said and "She slept." in said and "It rained." in said


@pytest.mark.parametrize("name", ["night_ferry-2.txt", "night_ferry-2.md", "night_ferry-2.html"])
def test_formats_a_title_from_the_file_name_reads_the_same_in_every_format(tmp_path: Path, name: str) -> None:
    # A plain-text story was "Night ferry 2" after its file, the same story as Markdown or HTML "night_ferry-2"
    # (the book's folder and album tag differed with the format).
    from narrator.reader import read_story

    body = "She waited.\n\nThe ferry came at dawn.\n"
    path = tmp_path / name
    path.write_text("<html><body><p>She waited.</p><p>The ferry came at dawn.</p></body></html>"
                    if name.endswith(".html") else body, encoding="utf-8")
    assert read_story(path).title == "Night ferry 2"
