from app.training.tasks.code import python_features


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
