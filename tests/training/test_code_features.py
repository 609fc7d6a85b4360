from app.training.tasks.code import clean_line_starts, python_features


def features_of(source):
    values = python_features(list(source))
    return {name: dict(enumerate(column)) for name, column in values.items()}


def test_inside_a_one_line_string_from_its_opening_quote_to_its_closing_one():
    source = 'x = "a(b" + y  # "no"\n'
    inside = features_of(source)["inside a string"]
    assert [source[k] for k in inside if inside[k]] == list('"a(b"')  # the comment's quotes are no string


def test_an_escaped_quote_does_not_close_the_string():
    source = "s = 'it\\'s'\n"
    inside = features_of(source)["inside a string"]
    assert inside[source.index("s'")] == 1 and inside[len(source) - 2] == 1


def test_bracket_depth_ignores_brackets_in_strings_and_spans_lines():
    source = 'f(a, [b, "(("],\n  c)\n'
    depth = features_of(source)["bracket depth"]
    assert depth[source.index("b")] == 2 and depth[source.index("c")] == 1 and depth[len(source) - 1] == 0


def test_indentation_and_position_in_line():
    source = "if x:\n    return 1\n"
    values = features_of(source)
    k = source.index("return")
    assert values["indentation"][k] == 4 and values["position in line"][k] == 5
    assert values["position in line"][source.index("\n")] == 0


def test_an_apostrophe_in_a_docstring_is_no_one_line_string_and_brackets_there_do_not_count():
    source = 'def f():\n    """Don\'t (see x)."""\n    return g(1)\n'
    values = features_of(source)
    inside, docstring, depth = (
        values["inside a string"],
        values["inside a triple-quoted string"],
        values["bracket depth"],
    )
    body = range(source.index('"""'), source.index('."""') + 4)
    assert not any(inside.values())
    assert all(docstring[k] for k in body) and not docstring[source.index("return")]
    assert depth[source.index("see")] == 0 and depth[source.index("1")] == 1


def test_clean_line_starts_are_lines_in_code_outside_brackets():
    source = 'x = f(\n    1)\ns = """\n"""\n# a\ny = 2\n'
    starts = clean_line_starts(list(source))
    assert [source[k:].split("\n")[0] for k in starts] == [
        's = """',
        "# a",
        "y = 2",
    ]  # not "    1)" (in brackets), nor the string's last line
