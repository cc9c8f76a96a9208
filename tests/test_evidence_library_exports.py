"""The evidence library on files as Zotero and a browser's "Save page" write them (issue 17, kind 9):
CSL-JSON name particles kept, and a saved page without <main>/<article> read without its cookie
banner, menu, sidebar and footer."""

import json
from pathlib import Path

from agenda.evidence.library import read_library

# Zotero's "Export Collection… → CSL JSON": particles in their own fields, as citeproc-js parses Dutch names
ZOTERO_CSL = [
    {"id": "http://zotero.org/users/123456/items/ABCD1234", "type": "article-journal",
     "title": "Gepersonaliseerd leren met adaptieve oefensoftware", "container-title": "Pedagogische Studiën",
     "author": [{"family": "Leeuwen", "given": "Anouschka", "non-dropping-particle": "van"},
                {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
                {"family": "Vries", "given": "Petra", "dropping-particle": "de"},
                {"family": "Molenaar", "given": "Inge"},
                {"family": "King", "given": "Martin", "suffix": "Jr."}],
     "issued": {"date-parts": [["2021", 5, 1]]}, "DOI": "10.1234/ps.2021.001",
     "abstract": "Onderzoek naar adaptieve oefensoftware in groep 5 tot en met 8."},
]

SAVED_PAGE = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8">
<title>Formatief evalueren in de praktijk | Onderwijsblog</title>
<meta name="author" content="A. de Boer"><meta property="article:published_time" content="2023-02-14T09:00:00+01:00">
<script>var tracking = "geheim"; window.dataLayer = [];</script><style>.cookie { position: fixed; }</style>
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>Wij gebruiken cookies om uw ervaring te verbeteren en voor
statistieken. Door verder te gaan op deze website accepteert u ons cookiebeleid en onze privacyverklaring.</p>
<a href="#">Alles accepteren</a> <a href="#">Instellingen</a></div>
<div class="menu"><ul><li><a href="/">Home</a></li><li><a href="/blog">Blog</a></li><li><a href="/over">Over ons</a></li>
<li><a href="/contact">Contact</a></li></ul></div>
<div class="container"><div class="content">
<h1>Formatief evalueren in de praktijk</h1>
<p>Formatief evalueren betekent dat de leraar tijdens het leerproces informatie verzamelt over wat leerlingen al
beheersen, en die informatie gebruikt om het onderwijs bij te stellen.</p>
<h2>Wat zegt het onderzoek?</h2>
<p>Overzichtsstudies laten zien dat feedback die aansluit bij het leerdoel een van de sterkste invloeden op
leerprestaties is, mits leerlingen er iets mee kunnen doen in een volgende opdracht.</p>
<p>Scholen die ermee beginnen, starten vaak met duidelijke succescriteria en korte controlemomenten aan het eind
van de les.</p>
</div>
<div class="sidebar"><h3>Populaire berichten</h3><ul><li><a href="/a">Tien tips voor een rustige klas</a></li>
<li><a href="/b">Ouders betrekken bij huiswerk</a></li></ul></div></div>
<div class="footer"><p>© 2023 Onderwijsblog · Privacyverklaring · Disclaimer · Nieuwsbrief</p></div>
</body></html>"""


def _lib(tmp_path: Path) -> Path:
    (tmp_path / "kennis").mkdir(parents=True)
    return tmp_path / "kennis"


def test_zotero_csl_json_keeps_dutch_name_particles(tmp_path):
    (_lib(tmp_path) / "zotero.json").write_text(json.dumps(ZOTERO_CSL, ensure_ascii=False), encoding="utf-8")
    result = read_library(tmp_path)
    assert result.rejections == []
    (source,) = result.sources
    assert source.authors == ["van Leeuwen, Anouschka", "van der Berg, Jan", "de Vries, Petra", "Molenaar, Inge",
                              "King, Martin, Jr."]
    assert source.year == 2021


def test_a_saved_page_without_main_keeps_no_cookie_banner_or_menu(tmp_path):
    (_lib(tmp_path) / "formatief-evalueren.html").write_text(SAVED_PAGE, encoding="utf-8")
    result = read_library(tmp_path)
    assert result.rejections == []
    (page,) = result.sources
    text = " ".join(page.passages)
    assert page.abstract.startswith("Formatief evalueren in de praktijk: Formatief evalueren betekent dat de leraar")
    assert "Wat zegt het onderzoek? Overzichtsstudies laten zien" in text  # heading joined to its text
    assert "korte controlemomenten aan het eind van de les." in text
    for chrome in ("cookies", "cookiebeleid", "Alles accepteren", "Home", "Over ons", "Populaire berichten",
                   "Tien tips", "Disclaimer", "tracking", "geheim", "position"):
        assert chrome not in text and chrome not in page.abstract, chrome
    assert page.title == "Formatief evalueren in de praktijk | Onderwijsblog"
    assert page.authors == ["A. de Boer"] and page.year == 2023
