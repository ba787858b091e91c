"""SIF XML: namespace and roots; hostile and malformed documents refused, saying where."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from sif_core.codec import SIF_NAMESPACE, dumps_xml, loads_xml, read_document
from sif_core.errors import CodecError, HostileXMLError, MalformedDocumentError
from sif_core.model import LAInfo, LearnerPersonal, Name, NameType, SchoolInfo, Sex

LA = LAInfo(ref_id="0123456789ABCDEF0123456789ABCDEF", la_id="801", la_name="Bristol & Avon")
SCHOOL = SchoolInfo(
    ref_id="FEDCBA9876543210FEDCBA9876543210",
    la_id="801",
    establishment_id="2000",
    school_name='St Mary\'s "Church" <Primary>',
)


def test_every_document_carries_the_profile_namespace_on_its_root() -> None:
    for document in (dumps_xml(LA), dumps_xml([LA]), dumps_xml([LA, SCHOOL]), dumps_xml([])):
        root_line = document.decode().splitlines()[1]
        assert f'xmlns="{SIF_NAMESPACE}"' in root_line


@pytest.mark.parametrize(
    ("objects", "root"),
    [([LA, LA], "LAInfos"), ([LA, SCHOOL], "SIFObjects"), ([], "SIFObjects")],
)
def test_collections_take_the_collection_root_or_sifobjects_when_mixed(
    objects: list[LAInfo | SchoolInfo], root: str
) -> None:
    assert dumps_xml(objects).decode().splitlines()[1].startswith(f"<{root} ")


def test_a_single_object_is_the_root_element() -> None:
    text = dumps_xml(LA).decode()
    assert text.splitlines()[1].startswith(f'<LAInfo xmlns="{SIF_NAMESPACE}" RefId=')


def test_markup_characters_in_text_are_escaped_and_read_back() -> None:
    text = dumps_xml(SCHOOL)
    assert b"&lt;Primary&gt;" in text
    assert loads_xml(text) == [SCHOOL]


def test_a_document_without_namespace_is_read_as_the_profile() -> None:
    document = (
        '<LAInfos><LAInfo RefId="0123456789ABCDEF0123456789ABCDEF">'
        "<LAId>801</LAId><LAName>Bristol &amp; Avon</LAName></LAInfo></LAInfos>"
    )
    assert loads_xml(document) == [LA]


def test_another_namespace_is_refused_by_name() -> None:
    document = '<LAInfos xmlns="http://www.sifinfo.org/uk/infrastructure/2.x"/>'
    with pytest.raises(CodecError, match=r"sifinfo\.org.*urn:sifbridge"):
        loads_xml(document)


def test_a_root_that_is_not_sif_is_refused_naming_it() -> None:
    with pytest.raises(CodecError, match="'CTfile'"):
        loads_xml("<CTfile><Header/></CTfile>")


def test_billion_laughs_is_refused_without_expanding() -> None:
    document = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<LAInfos xmlns="urn:sifbridge:sif-uk:1"><LAInfo RefId="0123456789ABCDEF0123456789ABCDEF">
<LAId>801</LAId><LAName>&lol2;</LAName></LAInfo></LAInfos>"""
    with pytest.raises(HostileXMLError) as error:
        loads_xml(document, source="lolz.xml")
    assert error.value.source == "lolz.xml"
    assert error.value.line == 3  # refused at the first declaration, before any use
    assert "entit" in error.value.message


def test_an_external_entity_is_refused_without_reading_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    document = (
        f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        '<LAInfo RefId="0123456789ABCDEF0123456789ABCDEF"><LAId>801</LAId>'
        "<LAName>&xxe;</LAName></LAInfo>"
    )
    path = tmp_path / "xxe.xml"
    path.write_text(document)
    with pytest.raises(HostileXMLError) as error:
        read_document(path)
    assert "TOP-SECRET-CONTENT" not in str(error.value)
    assert error.value.source == str(path)


def test_malformed_xml_is_reported_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(
        b'<?xml version="1.0"?>\n<LAInfos>\n  <LAInfo RefId="0123456789ABCDEF0123456789ABCDEF">\n'
        b"    <LAId>801</LAID>\n  </LAInfo>\n</LAInfos>\n"
    )
    with pytest.raises(MalformedDocumentError) as error:
        read_document(path)
    # Column 16 is the name in the closing tag that does not match.
    assert (error.value.line, error.value.column) == (4, 16)
    assert str(error.value).startswith(f"{path}:4:16: ")


def test_a_character_xml_cannot_carry_is_refused_by_the_model_and_by_the_writer() -> None:
    with pytest.raises(ValidationError):
        Name(type=NameType.LEGAL, family_name="Smith\ufffe")
    # An object built without validation (model_construct) still cannot reach the wire.
    name = Name.model_construct(type=NameType.LEGAL, family_name="Smith\ufffe")
    pupil = LearnerPersonal(
        ref_id="0123456789ABCDEF0123456789ABCDEF",
        names=[Name(type=NameType.LEGAL, family_name="Smith")],
        date_of_birth=dt.date(2015, 4, 1),
        sex=Sex.F,
    ).model_copy(update={"names": [name]})
    with pytest.raises(CodecError, match="U\\+FFFE"):
        dumps_xml(pupil)


def test_an_encoding_declared_by_the_document_is_honoured() -> None:
    document = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<LAInfo RefId="0123456789ABCDEF0123456789ABCDEF"><LAId>801</LAId>'
        "<LAName>Caf\xe9 County</LAName></LAInfo>"
    ).encode("latin-1")
    (la,) = loads_xml(document)
    assert isinstance(la, LAInfo)
    assert la.la_name == "Café County"
