"""HTML: a whole-story download or a single chapter page, with the site's furniture dropped."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from narrator.errors import InputError
from narrator.formats._blocks import (
    Block,
    TextBuilder,
    html_blocks,
    is_chapter_heading,
    parse_html,
    write_chapters,
)
from narrator.models import Story
from narrator.reader import title_from_path

# Containers of a download's header and trailer (AO3: #preface, #afterword): metadata, not story.
# FanFiction.Net's chapter page: #profile_top holds title, byline, summary and the "Rated: ..." line.
_PREFACE_IDS = frozenset({"preface", "afterword", "work-meta", "story-info", "storyinfo", "header-info", "profile_top"})
_PREFACE_CLASSES = frozenset({"afterword", "tags", "stats", "work-meta", "storyinfo", "story-info", "byline"})
_INFO_LABEL = re.compile(
    r"^\s*(?:rating|rated|warnings?|archive warnings?|category|categories|fandoms?|relationships?|pairings?|"
    r"characters|additional tags|tags|language|series|stats|published|updated|completed|words|chapters|"
    r"status|genres?|kudos|hits|bookmarks|comments|reviews|collections)\s*:",
    re.IGNORECASE,
)
_SUMMARY_LABEL = re.compile(r"^\s*(?:summary|description|blurb)\s*(?::\s*(.*))?$", re.IGNORECASE | re.DOTALL)


def read_html(data: bytes, path: Path | None) -> Story:
    """Read an HTML story (whole download or one chapter page) into a Story."""
    label = path.name if path else "the HTML input"
    soup = parse_html(data)
    title, author, description = _metadata(soup)
    chapter = _ffn_chapter(soup)
    ffn = isinstance(soup.find(id="profile_top"), Tag)
    _prune(soup)
    # A saved FanFiction.Net page holds the site's menus, breadcrumbs and review box in plain <div>s around
    # the chapter ("FanFiction | unleash your imagination" was read aloud): its text is #storytext alone.
    ffn_text = soup.find(id="storytext") if ffn else None
    # A work page saved from AO3 (not its download) keeps the site's header, menus, kudos box and footer around
    # #workskin, the work itself: its title became the book's and "Main Content" (a skip link) a chapter.
    workskin = soup.find(id="workskin")
    root = ffn_text if isinstance(ffn_text, Tag) else workskin if isinstance(workskin, Tag) else soup.body or soup
    blocks = html_blocks(root, web=True)
    title = title or (title_from_path(path) if path else "Untitled")
    blocks, summary = _drop_header(blocks, title, author)
    if chapter and not _opens_with_heading(blocks, title):
        blocks.insert(0, Block("heading", [(chapter, False)], level=2))
    builder = TextBuilder()
    write_chapters(builder, blocks, title)
    text = builder.finish()
    if not text.strip():
        raise InputError(
            f"{label}: the HTML page holds no story text (only scripts, menus or markup); "
            "save the story page itself, or a site's download of the whole story."
        )
    return Story(
        title=title,
        author=author,
        description=description or summary,
        text=text,
        path=path,
        **builder.marks(),
    )


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"name": re.compile(f"^{re.escape(name)}$", re.IGNORECASE)}) or soup.find(
            "meta", attrs={"property": re.compile(f"^{re.escape(name)}$", re.IGNORECASE)}
        )
        if isinstance(tag, Tag):
            content = " ".join(str(tag.get("content") or "").split())
            if content:
                return content
    return None


def _metadata(soup: BeautifulSoup) -> tuple[str | None, str | None, str | None]:
    """Title, author and summary from meta tags, the header's h1 and byline, and a "Summary" label."""
    profile = soup.find(id="profile_top")
    if isinstance(profile, Tag):
        # A saved FanFiction.Net page: its <title> is "Title Chapter 3: Name, a X fanfic | FanFiction", and
        # the header block (dropped as furniture) was read aloud as the story's first lines.
        return _ffn_profile(profile)
    title = _meta(soup, "dc.title", "og:title")
    workskin = soup.find(id="workskin")
    if not title and isinstance(workskin, Tag):
        # AO3's work page: the page's <h1> is the site's name; the work's title is the preface's heading.
        heading = workskin.find(class_="title")
        title = heading.get_text(" ", strip=True) if isinstance(heading, Tag) else None
    if not title:
        h1 = soup.find("h1")
        title = h1.get_text(" ", strip=True) if isinstance(h1, Tag) else None
    if not title and soup.title:
        # "Story Title - Chapter 2 - Site" keeps only the first part.
        title = re.split(r"\s+[-|–—]\s+", soup.title.get_text(" ", strip=True))[0] or None
    author = _meta(soup, "author", "dc.creator")
    if not author:
        link = soup.find("a", attrs={"rel": re.compile("author")})
        byline = link if isinstance(link, Tag) else soup.find(class_=re.compile(r"\bbyline\b"))
        if isinstance(byline, Tag):
            author = re.sub(r"^\s*by\s+", "", byline.get_text(" ", strip=True), flags=re.IGNORECASE) or None
    description = _meta(soup, "description", "og:description", "dc.description")
    if not description:
        for tag in soup.find_all(["p", "h2", "h3", "h4", "dt", "strong", "b"]):
            match = _SUMMARY_LABEL.match(tag.get_text(" ", strip=True))
            if not match:
                continue
            if match.group(1) and tag.name not in {"strong", "b"}:
                description = match.group(1)
                break
            after = tag.find_next(["blockquote", "p", "dd", "div"])
            if isinstance(after, Tag) and after.get_text(strip=True):
                description = " ".join(after.get_text(" ").split())
                break
    return (
        " ".join(title.split()) if title else None,
        " ".join(author.split()) if author else None,
        description,
    )


def _ffn_profile(profile: Tag) -> tuple[str | None, str | None, str | None]:
    bold = profile.find("b")
    author = profile.find("a", href=re.compile(r"^(?:https?://[^/]*)?/u/\d+"))
    summary = next((d for d in profile.find_all("div") if d.get_text(strip=True)), None)
    text = [" ".join(t.get_text(" ").split()) or None if isinstance(t, Tag) else None for t in (bold, author, summary)]
    return text[0], text[1], text[2]


def _ffn_chapter(soup: BeautifulSoup) -> str | None:
    """A FanFiction.Net chapter page's own chapter name, as a chapter title ("3. Embers" -> "Chapter 3: Embers").

    The page's text has no heading: the name is only in the chapter list (<select id="chap_select">, its
    selected entry "N. Name") and the <title>, so the chapter was titled "Chapter 1" whatever it was called.
    """
    if not isinstance(soup.find(id="profile_top"), Tag):
        return None
    chooser = soup.find("select", id="chap_select")
    chosen = chooser.find("option", selected=True) if isinstance(chooser, Tag) else None
    if not isinstance(chosen, Tag):
        return None  # a one-chapter story has no list: its title is the story's
    entry = " ".join(chosen.get_text(" ").split())
    match = re.fullmatch(r"(\d+)\s*\.\s*(.*)", entry)
    if match is None:
        return entry or None
    number, name = match.groups()
    if not name or re.fullmatch(rf"chapter\s+{number}", name, re.IGNORECASE):
        return f"Chapter {number}"  # an unnamed chapter is listed as "N. Chapter N"
    # A name that is itself a heading ("Part Three: Embers") stands as it is.
    return name if is_chapter_heading(name) else f"Chapter {number}: {name}"


def _opens_with_heading(blocks: list[Block], title: str) -> bool:
    """Whether the chapter's text starts with a heading of its own (an <h2>, or a line like "Chapter 3")."""
    first = next((b for b in blocks if b.kind != "break"), None)
    return first is not None and (first.kind == "heading" or is_chapter_heading(first.text)) and \
        _key(first.text) != _key(title)


def _prune(soup: BeautifulSoup) -> None:
    """Remove the download's header/trailer blocks and tag lists before walking the text."""
    doomed = []
    for tag in soup.find_all(True):
        ident = str(tag.get("id") or "").lower()
        classes = {c.lower() for c in (tag.get("class") or [])}
        if ident in _PREFACE_IDS or classes & _PREFACE_CLASSES:
            doomed.append(tag)
        elif tag.name == "dl":
            labels = [dt.get_text(" ", strip=True) for dt in tag.find_all("dt")]
            if sum(bool(_INFO_LABEL.match(t + (":" if not t.endswith(":") else ""))) for t in labels) >= 2:
                doomed.append(tag)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


def _drop_header(blocks: list[Block], title: str, author: str | None) -> tuple[list[Block], str | None]:
    """Drop the title, byline, info lines and summary that open a page before the story starts."""
    first_heading = next(
        (k for k, b in enumerate(blocks) if b.kind == "heading" and _key(b.text) != _key(title)), len(blocks)
    )
    kept: list[Block] = []
    summary: str | None = None
    skip_next = False
    for k, block in enumerate(blocks):
        if k >= first_heading:
            kept.extend(blocks[k:])
            break
        text = block.text
        if skip_next:
            skip_next = False
            summary = summary or text
            continue
        if _key(text) == _key(title) or (author and _key(text) in {_key(author), _key("by " + author)}):
            continue
        if _INFO_LABEL.match(text):
            continue
        match = _SUMMARY_LABEL.match(text)
        if match and block.kind != "break" and len(text) < 400:
            if match.group(1):
                summary = summary or match.group(1)
            else:
                skip_next = True
            continue
        kept.append(block)
    return kept, summary


def _key(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().casefold()
