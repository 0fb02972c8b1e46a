"""Every example program of spec hog-language.md §11, run through the interpreter: (code, results, stdout).

Multi-statement programs are written on several lines (the spec shows them joined by `;`): a one-line program
gets PostHog's single-line rewrite. `None` as stdout means the program failed (an `ERROR:` result).
"""

import pytest

from queries.hog import execute

CATCH_AFTER_RETURN = """
fun safeParse(s) {
  try {
    return jsonParse(s)
  } catch (e) {
    return null
  }
}
print(safeParse('1'))
try {
  throw Error('outer')
} catch (e) {
  print(f'outer catch: {e.message}')
}
fun withLocals() {
  let a := 1
  let b := 2
  try {
    return a + b
  } catch (e) {
    return 0
  }
}
withLocals()
try {
  throw Error('after locals')
} catch (e) {
  print(f'caught: {e.message}')
}
let mapped := arrayMap(x -> { try { return x * 2 } catch (e) { return 0 } }, [1, 2])
try {
  throw Error('after lambda')
} catch (e) {
  print(f'caught: {e.message}, mapped: {mapped}')
}
"""

TYPEOF = "\n".join(
    f"print(typeof({value}))"
    for value in (
        "'hello world'", "123", "1.23", "true", "null", "{}", "[]", "(1,2,3)", "() -> 1 + 2",
        "toDateTime('2021-01-01T00:00:00Z')", "toDate('2021-01-01')", "Error('BigError', 'message')",
    )
)  # fmt: skip

TYPES = [
    "string",
    "integer",
    "float",
    "boolean",
    "null",
    "object",
    "array",
    "tuple",
    "function",
    "datetime",
    "date",
    "error",
]

EXAMPLES = [
    # 11.1 basics and the single-line rule
    ("1", "1 + 2", 3, ""),
    ("2", "print('hi')", None, "hi"),
    ("3", "let a := 1 + 2;\nreturn a;", 3, ""),
    ("4", "let a := 1 + 2;\nlet b := a + 4;\nreturn b;", 7, ""),
    ("5", "let a := 1;\na := a + 3;\na := a * 2;\nreturn a;", 8, ""),
    ("6", "let x := 1\nprint(x)", None, "1"),
    ("7", "return 3 / 2", 1.5, ""),
    ("8", "return 4 / 2", 2.0, ""),
    ("9", "print(-7 % 3, 7 % -3, -7.5 % 2)", None, "-1 1 -1.5"),
    ("10a", "return 1 and 2", True, ""),
    ("10b", "return 1 and 0", False, ""),
    ("11", "return 1 or (0 and 1) or 2", True, ""),
    ("12", "return 'a' || 'b' || null", "ab", ""),
    ("13a", "return concat(1, NULL)", "1", ""),
    ("13b", "return concat(true, false)", "truefalse", ""),
    # 11.2 comparisons and operators
    ("14a", "return '1' = 1", True, ""),
    ("14b", "return 1 = '1'", True, ""),
    ("14c", "return 1 == true", True, ""),
    ("15a", "return 0 == true", False, ""),
    ("15b", "return 2 == true", False, ""),
    ("15c", "return 1 != false", True, ""),
    ("16a", "return 1 < '2'", True, ""),
    ("16b", "return '1' >= 2", False, ""),
    ("16c", "return 1 == null", False, ""),
    ("16d", "return 1 != null", True, ""),
    ("17a", "return 'baa' like '%a%'", True, ""),
    ("17b", "return 'baa' ilike '%A%'", True, ""),
    ("17c", "return 'bax' like 'b_x'", True, ""),
    ("17d", "return 'baax' not like 'b_x'", True, ""),
    ("18a", "return 'a' in 'car'", True, ""),
    ("18b", "return 'a' not in 'car'", False, ""),
    ("18c", "return 'a' in ['a','b']", True, ""),
    ("18d", "return 'a' in []", False, ""),
    ("19a", "return 'test' =~ 'e.*'", True, ""),
    ("19b", "return 'test' =~ '^e.*'", False, ""),
    ("19c", "return 'test' !~ 'x.*'", True, ""),
    ("19d", "return 'test' =~* 'EST'", True, ""),
    ("19e", "return 'test' !~* 'EST'", False, ""),
    ("20a", "return null =~ 'u'", False, ""),
    ("20b", "return 'uu' =~ null", False, ""),
    ("20c", "return match(null, 'u')", False, ""),
    ("21a", "return 1 between 0 and 2", True, ""),
    ("21b", "return 5 not between 0 and 2", True, ""),
    ("22a", "return null ?? 'x'", "x", ""),
    ("22b", "return 0 ?? 'x'", 0, ""),
    # 11.3 arrays, tuples, dicts
    ("23", "print([])\nprint([1, '2', 3, ])\nprint([1, [2, [3, 4]], 5])", None, "[]\n[1, '2', 3]\n[1, [2, [3, 4]], 5]"),
    ("24", "let a := [1, 2, 3]\nprint(a[2], a?.[2], a?.2, a?.[7], a?.7)", None, "2 2 2 null null"),
    ("25", "print([1, [2, [3, 4], ], 5][2][2][2] + 1)", None, "5"),
    ("26", "let c := [1,2,3]\nprint(c[1], c[2], c[3], c[4])\nprint(c[-1], c[-2], c[-3], c[-4])", None,
     "1 2 3 null\n3 2 1 null"),
    ("27", "let b := [1, 2, [1,2,3]]\nb[2] := 4\nb[3][3] := 8\nprint(b)", None, "[1, 4, [1, 2, 8]]"),
    ("28", "let arr := [1,2,3,4]\narrayPushBack(arr, 5)\nprint(arr)", None, "[1, 2, 3, 4]"),
    ("29", "print(arraySort([2, 10, 1]), arrayReverseSort([2, 10, 1]), arrayStringConcat([1,2,3], ','))", None,
     "[1, 2, 10] [10, 2, 1] 1,2,3"),
    ("30", "print(has([1,2], 2), has('banananas', 'banana'), indexOf([1,2,3], 4))", None, "true false 0"),
    ("31", "print(arrayCount(x -> x > 2, [1,2,3,4,5]))", None, "3"),
    ("32", "print({'key': 'value', 'other': 'thing'})\nlet key := 'kk'\nprint({key: 'value'})", None,
     "{'key': 'value', 'other': 'thing'}\n{'kk': 'value'}"),
    ("33", "print({'key': {'otherKey': 'value'}}.key.otherKey)", None, "value"),
    ("34", "print(keys([3,4,5]), values({'key': 'value', 'other': 'val'}))", None, "[0, 1, 2] ['value', 'val']"),
    ("35", "print((1, 2, 3), tuple(1), tuple(), (1, 2).2)", None, "(1, 2, 3) tuple(1) tuple() 2"),
    ("36", "print('abc'[1], 'abc'[-1])", None, "a c"),
    ("37", "let a := [1]\na[0] := 1", "ERROR: Hog arrays start from index 1", None),
    ("38", "let x := [1]\nreturn x[0]", "ERROR: Array access starts from 1", None),
    # 11.4 functions, lambdas, closures, scope
    ("39", "let dbl := x -> x * 2\nprint(dbl)\nprint(dbl(2))\nprint(dbl(8))", None, "fn<lambda(1)>\n4\n16"),
    ("40", "let var := 5\nlet varify := x -> x * var\nprint(varify(2))\nvar := 10\nprint(varify(2))\n"
     "print(varify(8))", None, "10\n20\n80"),
    ("41", "fun bigVar() { let var := 5; let varify := x -> x * var; return varify }\nlet f := bigVar()\n"
     "print(f(2))\nprint(f(8))", None, "10\n40"),
    ("42", "let a := 3\nfun outerA() { print(a); a := 4; print(a) }\n"
     "fun innerA() { print(a); outerA(); print(a) }\nprint(a)\ninnerA()\nprint(a)", None, "3\n3\n3\n4\n4\n4"),
    ("43", "let b := {'key': 3}\nfun outerB() { print(b); b.key := 4; print(b) }\n"
     "fun innerB() { print(b); outerB(); print(b) }\nprint(b)\ninnerB()\nprint(b)", None,
     "{'key': 3}\n{'key': 3}\n{'key': 3}\n{'key': 4}\n{'key': 4}\n{'key': 4}"),
    ("44", "fun outerC() { let x := 'outside'; fun innerC() { print(x) }; innerC() }\nouterC()", None, "outside"),
    ("45", "fun o() { let b := 3; fun f(a) { return a + b }; print(f(2)); print(f(3)) }\no()", None, "5\n6"),
    ("46", "let func := x -> x * 2\nlet arr := [func]\nprint(arr[1](2))\nprint((x -> x * 2)(2))", None, "4\n4"),
    ("47", "let b := x -> x * 2\nprint(jsonStringify(b))\nprint(jsonParse(jsonStringify(b)))", None,
     '"fn<lambda(1)>"\nfn<lambda(1)>'),
    ("48", "print(arrayMap(a -> {'a': a}, [1, 2, 3]))", None, "[{'a': 1}, {'a': 2}, {'a': 3}]"),
    ("49", "fun fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2) }\nreturn fib(10)", 55, ""),
    ("50", "fun f(a, b) { return b }\nreturn f(1)", None, ""),
    ("51", "fun f(a) { return a }\nreturn f(1, 2)", "ERROR: Too many arguments. Passed 2, expected 1", None),
    ("52", "print(arrayReduce((acc, x) -> acc + x, [1, 2, 3], 10), arrayFilter(x -> x % 2 = 1, [1,2,3]))", None,
     "16 [1, 3]"),
    # 11.5 loops
    ("53", "let i := 0\nwhile (i < 3) { i := i + 1; print(i) }\nprint(i)", None, "1\n2\n3\n3"),
    ("54", "for (let i := 0; i < 3; i := i + 1) {\n  print(i)\n}", None, "0\n1\n2"),
    ("55", "for (let v in [1, 2, 3])\n  print(v)", None, "1\n2\n3"),
    ("56", "for (let k, v in [1, 2, 3])\n  print(k, v)", None, "0 1\n1 2\n2 3"),
    ("57", "for (let k, v in {'first': 'v1', 'second': 'v2'})\n  print(k, v)", None, "first v1\nsecond v2"),
    ("58", "for (let v in null) print(v)\nprint('done')", None, "done"),
    ("59", "let s := 0\nfor (let i := 1; i <= 100; i := i + 1) { s := s + i }\nreturn s", 5050, ""),
    # 11.6 errors
    ("60", "try { print('try') }\ncatch (e) { print('no') }", None, "try"),
    ("61", "try { throw Error() }\ncatch (e) { print(concat(e, ' was the exception')) }", None,
     "Error('An error occurred') was the exception"),
    ("62", "fun third() { throw Error('Threw in third') }\n"
     "fun base() { try { third() } catch (e) { print(concat('Caught in base: ', e)); throw e } }\n"
     "try { base() } catch (e) { print(concat('Caught in root: ', e)) }\nprint('The end')", None,
     "Caught in base: Error('Threw in third')\nCaught in root: Error('Threw in third')\nThe end"),
    ("63", "try { throw RetryError('r') } catch (e: RetryError) { print('retry', e.message) } "
     "\ncatch (e) { print('other') }", None, "retry r"),
    ("64", "try { throw HogError('Custom', 'm', {'a': 1}) }\ncatch (e: RetryError) { print(1) }",
     "ERROR: Custom('m')", None),
    ("65", "try { throw Error('x') }\ncatch (e) { print(e.type, e.message, e.payload) }", None, "Error x null"),
    ("66", "print(Error('x', {'a': 1}))", None, "Error('x', {'a': 1})"),
    ("67", CATCH_AFTER_RETURN, None,
     "1\nouter catch: outer\ncaught: after locals\ncaught: after lambda, mapped: [2, 4]"),
    ("68", "let a := 1\nthrow 'boom'", "ERROR: Can not throw: value is not of type Error", None),
    ("69", "try { 1 }\ncatch (e) { 2 } finally { 3 }", "ERROR: finally blocks are not yet supported", None),
    ("70", "return undefinedThing", "ERROR: Global variable not found: undefinedThing", None),
    ("71", "return foo(1)", "ERROR: Unsupported function call: foo", None),
    ("72", "let a := 1\nlet a := 2", "ERROR: Variable `a` already declared in this scope", None),
    ("73", "x := 1", 'ERROR: Variable "x" not declared in this scope. Can not assign to globals.', None),
    # 11.7 types, strings, stl
    ("74", TYPEOF, None, "\n".join(TYPES)),
    ("75", "print(trim('  hello  world  '))\nprint(trimLeft('  hello world  '))\nprint(trimRight('  hello world  '))",
     None, "hello  world\nhello world  \n  hello world"),
    ("76", "print(splitByString(' ', 'hello world and more', 1))", None, "['hello']"),
    ("77", "print(position('abc', 'b'), positionCaseInsensitive('AbC', 'c'), position('abc', 'd'))", None, "2 3 0"),
    ("78", "print(empty(null), empty(0), empty(''), empty('0'), empty([]), empty(tuple(0)), notEmpty(false))", None,
     "true false true false true false true"),
    ("79", "print(equals(1, 1), equals(1, 2), equals(1, '1'))", None, "true false false"),
    ("80", "print(or(false, true), or(0, 0), and(1, 1), and('string'))", None, "true false true true"),
    ("81", "print(min2(3, 5), plus(10, 5), floor(3.99), round(3.5), range(3, 6))", None, "3 15 3 4 [3, 4, 5]"),
    ("82", "print(substring('abcdef', 2, 3), coalesce(null, null, 'firstNonNull'))", None, "bcd firstNonNull"),
    ("83", "print(toInt('1'), toInt('bla'), toFloat('1.2'), toString(1.5), toString(null))", None,
     "1 null 1.2 1.5 null"),
    ("84", "print(jsonParse('[1,2,3]'))", None, "[1, 2, 3]"),
    ("85", "print(jsonStringify({'a': 1, 'b': [1, 2]}))", None, '{"a": 1, "b": [1, 2]}'),
    ("86", "print(JSONHas('[1,2,[1,2]]', -1, 1), JSONLength('{\"a\": \"hello\", \"b\": [-100, 200.0, 300]}', 'b'), "
     "JSONExtract('{\"a\": {\"b\": \"nested\"}}', 'a', 'b', 'String'))", None, "true 3 nested"),
    ("87", "print(encodeURLComponent('tom & jerry'), base64Encode('http://www.google.com'))", None,
     "tom%20%26%20jerry aHR0cDovL3d3dy5nb29nbGUuY29t"),
    ("88", "print(toYear(toDateTime('2024-12-18T00:00:00Z')), toYYYYMM(toDateTime('2024-12-18T00:00:00Z')))", None,
     "2024 202412"),
    ("89", "print(toDateTime('2024-05-03T12:34:56Z'), toString(toDateTime('2024-05-03T12:34:56Z')))", None,
     "DateTime(1714739696.0, 'UTC') 2024-05-03T12:34:56.000Z"),
    ("90", "print(toIntervalDay(5))", None, "{'__hogInterval__': true, 'value': 5, 'unit': 'day'}"),
    ("91", "print(f'{1 + 2} and {'x'}')", None, "3 and x"),
    ("92", "return f'{42}'", 42, ""),
]  # fmt: skip


@pytest.mark.parametrize(("code", "results", "stdout"), [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES])
def test_hog_example_gives_spec_results_and_stdout(code, results, stdout):
    outcome = execute(code)
    assert outcome.results == results
    assert type(outcome.results) is type(results)
    assert outcome.stdout == stdout


def test_hog_examples_cover_every_numbered_spec_example():
    numbers = {int("".join(c for c in example_id if c.isdigit())) for example_id, *_ in EXAMPLES}
    assert numbers == set(range(1, 93))
