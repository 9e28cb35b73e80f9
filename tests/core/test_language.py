"""Language detection on a bounded sample, decided by script first: the same answers as the
statistical model over the text (py3langid over its first 4,000 characters, as before) for real
releases, the CSTO sample and texts in neighbouring languages."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import py3langid
import pytest

from archive_browser.core.importers import ImportOptions, read_file
from archive_browser.core.importers.language import SAMPLE_CHARS, detect_language, sample
from archive_browser.core.model import ReleaseDraft
from tests.conftest import CORPUS, SAMPLE, shared_file


@cache
def _real_releases() -> list[str]:
    """Headline, summary and body of every real release, joined as the import joins them."""
    csv.field_size_limit(1 << 30)
    texts = []
    for name in ("putin.csv", "zelenskyy.csv"):
        path = shared_file(CORPUS / name)
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                summary = row.get("summary") or ""
                texts.append(f"{row['headline']}\n{summary}\n{row['body']}")
    return texts


def _model(text: str) -> str:
    """What the detection said before: the model over the text's first 4,000 characters."""
    return str(py3langid.classify(text[:4000])[0])


RUSSIAN = (
    "Президент России провёл встречу с председателем правительства и обсудил вопросы "
    "энергетической безопасности, сотрудничества в области обороны и поддержки российских "
    "граждан за рубежом. Стороны согласились, что правительству следует ускорить реформы и "
    "обеспечить прозрачность государственных закупок. Особое внимание было уделено развитию "
    "экономики регионов, строительству дорог и школ, а также подготовке к заседанию Совета "
    "коллективной безопасности ОДКБ (CSTO), которое пройдёт в Ереване.\n\n"
)
#: Cyrillic and Latin languages that a script shortcut must not take for Russian or English.
NEIGHBOURS = {
    "uk": "Президент України провів зустріч із прем'єр-міністром і обговорив питання "
    "енергетичної безпеки, співпраці у сфері оборони та підтримки українських громадян за "
    "кордоном. Сторони погодилися, що уряд має прискорити реформи.",
    "bg": "Президентът на Република България проведе среща с министър-председателя и обсъдиха "
    "въпросите на енергийната сигурност, сътрудничеството в областта на отбраната и подкрепата "
    "за българските граждани в чужбина.",
    "be": "Прэзідэнт Рэспублікі Беларусь правёў сустрэчу з прэм'ер-міністрам і абмеркаваў "
    "пытанні энергетычнай бяспекі, супрацоўніцтва ў галіне абароны і падтрымкі беларускіх "
    "грамадзян за мяжой. Бакі пагадзіліся, што ўрад павінен паскорыць рэформы.",
    "kk": "Қазақстан Республикасының Президенті Премьер-Министрмен кездесіп, энергетикалық "
    "қауіпсіздік, қорғаныс саласындағы ынтымақтастық және шетелдегі қазақстандық азаматтарды "
    "қолдау мәселелерін талқылады.",
    "nl": "De minister van Buitenlandse Zaken heeft vandaag een ontmoeting gehad met zijn "
    "collega uit Duitsland. Zij bespraken de samenwerking op het gebied van energie, de steun "
    "aan Oekraine en de versterking van de Europese defensie. Het is van groot belang dat de "
    "lidstaten een gezamenlijke aanpak kiezen, zei de minister na afloop van het gesprek.",
    "de": "Der Bundeskanzler hat heute in Berlin den Premierminister empfangen. Die beiden "
    "sprachen ueber die Zusammenarbeit in der Energiepolitik, die Unterstuetzung der Ukraine "
    "und die Staerkung der europaeischen Verteidigung. Es sei wichtig, dass die "
    "Mitgliedstaaten gemeinsam handeln, sagte der Kanzler nach dem Gespraech.",
    "fr": "Le president de la Republique a recu aujourd'hui a l'Elysee le premier ministre. "
    "Les deux dirigeants ont evoque la cooperation dans le domaine de l'energie, le soutien a "
    "l'Ukraine et le renforcement de la defense europeenne. Il est essentiel que les Etats "
    "membres agissent ensemble, a declare le president a l'issue de l'entretien.",
}


def test_every_real_english_release_is_english_as_before() -> None:
    texts = _real_releases()
    assert len(texts) == 1796
    found = {detect_language(t) for t in texts}
    # Before the sample and the script shortcut, every one of them was detected as "en".
    assert found == {"en"}


def test_the_shortcut_agrees_with_the_model_on_real_releases() -> None:
    texts = _real_releases()[::25]
    assert [detect_language(t) for t in texts] == [_model(t) for t in texts]


def test_csto_sample_releases_stay_english() -> None:
    drafts = list(read_file(shared_file(SAMPLE), ImportOptions()))
    releases = [d for d in drafts if isinstance(d, ReleaseDraft)]
    assert len(releases) >= 5
    for draft in releases:
        text = f"{draft.title}\n{draft.summary}\n{draft.body}"
        assert draft.language == "en" == _model(text)


def test_long_russian_text_is_russian() -> None:
    text = RUSSIAN * 8  # longer than the sample
    assert len(text) > SAMPLE_CHARS
    assert detect_language(text) == "ru" == _model(text)


@pytest.mark.parametrize("lang", sorted(NEIGHBOURS))
def test_neighbouring_languages_are_not_taken_for_russian_or_english(lang: str) -> None:
    assert detect_language(NEIGHBOURS[lang]) == lang == _model(NEIGHBOURS[lang])


def test_the_language_is_read_from_the_beginning_of_a_long_text() -> None:
    english = _real_releases()[0][:SAMPLE_CHARS]
    assert detect_language(english + "\n\n" + RUSSIAN * 20) == "en"
    assert detect_language(RUSSIAN * 4 + english * 3) == "ru"


def test_the_sample_is_cut_at_a_word_boundary() -> None:
    text = "cooperation " * 500
    cut = sample(text)
    assert len(cut) <= SAMPLE_CHARS
    assert cut.split(" ")[-1] == "cooperation"
    assert sample("short text") == "short text"
    unbroken = "x" * (SAMPLE_CHARS * 2)
    assert sample(unbroken) == "x" * SAMPLE_CHARS


def test_import_derives_language_and_title_for_records_without_them(tmp_path: Path) -> None:
    english = _real_releases()[3].split("\n", 2)[2]
    records = [
        {"date": "2022-05-01", "source": "Kremlin", "body": english},
        {"date": "2013-05-28", "source": "Секретариат ОДКБ", "body": RUSSIAN * 3},
        {"source": "CSTO Secretariat", "body": NEIGHBOURS["uk"], "language": "en"},
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    drafts = [d for d in read_file(path, ImportOptions()) if isinstance(d, ReleaseDraft)]
    assert [d.language for d in drafts] == ["en", "ru", "en"]  # a given language is kept
    assert drafts[1].title.startswith("Президент России провёл встречу")
    assert all(d.title for d in drafts)
