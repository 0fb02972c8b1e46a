"""Hog errors and the exact messages programs and tests see (spec hog-language.md §4-§9)."""

# Compile-time messages (PostHog's compiler).
ARRAY_ACCESS_FROM_ONE = "Array access starts from 1"
ALREADY_DECLARED = "Variable `{name}` already declared in this scope"
NOT_DECLARED = 'Variable "{name}" not declared in this scope. Can not assign to globals.'
CANNOT_ASSIGN = "Can not assign to this type of expression"
FINALLY_UNSUPPORTED = "finally blocks are not yet supported"
TRY_NEEDS_CATCH = "try statement must have at least one catch block"
COHORT_UNSUPPORTED = (
    "Can't use cohorts in real-time filters. Please inline the relevant expressions (cohort id={cohort})."
)
UNSUPPORTED_SYNTAX = "Unsupported syntax: {node}"
# Ours: guards before the program runs.
PROGRAM_TOO_LONG = "The program is longer than {limit} bytes"
PROGRAM_TOO_DEEP = "The program is nested more than {limit} levels deep"
PARSE_TIMEOUT = "The program is too complex to parse in time. Simplify it."

# Run-time messages (PostHog's VM).
GLOBAL_NOT_FOUND = "Global variable not found: {name}"
UNSUPPORTED_CALL = "Unsupported function call: {name}"
ARRAYS_START_AT_ONE = "Hog arrays start from index 1"
INDEX_OUT_OF_RANGE = "Index {index} out of range for array of length {length}"
INVALID_INDEX = "Invalid index: {index}"
CANNOT_SET_PROPERTY = 'Can not set property "{key}" on object of type "{type}"'
NO_ATTRIBUTE = "'{type}' object has no attribute 'get'"
CANNOT_THROW = "Can not throw: value is not of type Error"
TOO_MANY_ARGUMENTS = "Too many arguments. Passed {passed}, expected {expected}"
TOO_MANY_ARGUMENTS_AT_ALL = "Too many arguments"
INVALID_CLOSURE = "Invalid closure: {value}"
ARITY_AT_LEAST = "Function {name} requires at least {count} arguments"
ARITY_AT_MOST = "Function {name} requires at most {count} arguments"
ARITY_EXACTLY = "Function {name} requires exactly {count} arguments"
DIVISION_BY_ZERO = "division by zero"
NOT_ITERABLE = "argument of type 'NoneType' is not iterable"
REGEX_NEEDS_STRING = "Function match requires input to be a string, got {type}"
INVALID_REGEX = "Invalid regex pattern: {error}"
TIMEOUT = "Runtime exceeded {seconds} seconds after {ops} operations"
MEMORY = "Memory limit of {limit} bytes exceeded. Attempted to use {used} bytes"
# Ours: limits PostHog's Python VM does not enforce.
MAX_STEPS = "Program exceeded {limit} steps"
MAX_DEPTH = "Maximum call depth of {limit} exceeded"
MAX_RUN_CALLS = "A program may call run() at most {limit} times"
MAX_STDOUT = "Output exceeded {limit} bytes"
INTEGER_TOO_LARGE = "Integer result larger than {bits} bits"
RESULT_TOO_DEEP = "The result is nested more than {limit} levels deep"
TEXT_TOO_LARGE = "The printed or JSON form of a value would exceed {limit} bytes"
RUN_NEEDS_STRING = "run() requires a HogQL query string"


class HogError(Exception):
    """Ends the program with `message` (VM errors: not catchable by try/catch)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class HogCompileError(HogError):
    """A syntax or compile error: nothing ran."""


class HogThrow(Exception):
    """A Hog `throw`: carries the error value, catchable by try/catch."""

    def __init__(self, value: dict):
        super().__init__(value.get("message"))
        self.value = value
