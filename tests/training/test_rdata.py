"""The R data reader against files R itself wrote (fixtures/janeaustenr/make_fixture.R,
run once with R 4.2: the lines below are the script's), and hand-built bytes for what
it must refuse."""

import math
import struct
from pathlib import Path

import pytest

from app.training.rdata import read_lazy_load, read_rds, unserialize

FIXTURES = Path(__file__).parent / "fixtures" / "janeaustenr"


@pytest.mark.parametrize("name", ["Rdata", "Rdata-bzip2", "Rdata-xz"])
def test_a_lazy_load_database_in_each_of_rs_compressions(name):
    books = read_lazy_load(FIXTURES / f"{name}.rdb")
    assert sorted(books) == ["emma", "persuasion"]
    assert books["emma"][:6] == [
        "EMMA",
        "",
        "By Jane Austen",
        "",
        "",
        "Emma Woodhouse, handsome, clever, and rich, seemed to unite some of",
    ]
    assert books["emma"][8] == '"Poor Miss Taylor!--I wish she were here again. What a pity it is'
    assert len(books["emma"]) == 18 and len(books["persuasion"]) == 19
    assert books["persuasion"][-1] == "£ é"  # UTF-8 strings come back as characters


def test_an_xz_rds_of_version_3_with_a_compact_sequence_and_missing_values():
    value = read_rds(FIXTURES / "list.rds").as_dict()
    assert value["seq"] == [1, 2, 3, 4, 5] and all(type(v) is int for v in value["seq"])  # 1:5 is stored compactly
    assert value["real"][0] == 1.5 and math.isnan(value["real"][1])
    assert value["flag"] == [True, None, False]
    assert value["text"] == ["a", None, "é"]


def test_a_bzip2_rds_of_version_2_keeps_names_and_integer_na():
    value = read_rds(FIXTURES / "named.rds")
    assert value == [2, None] and value.names == ["x", "y"]


def header(version=2):
    return b"X\n" + struct.pack(">iii", version, 0x040201, 0x020300)


def test_hand_built_integers_read_as_the_format_says():
    data = header() + struct.pack(">iiii", 13, 3, 7, -(2**31)) + struct.pack(">i", -1)
    assert unserialize(data) == [7, None, -1]


def test_what_is_not_a_data_vector_is_refused_not_guessed():
    closure = header() + struct.pack(">i", 3)  # CLOSXP
    with pytest.raises(ValueError, match="not a data vector"):
        unserialize(closure)
    with pytest.raises(ValueError, match="ends early"):
        unserialize(header() + struct.pack(">ii", 13, 5) + b"\0\0\0\1")
    with pytest.raises(ValueError, match="XDR"):
        unserialize(b"A\n" + header()[2:])
