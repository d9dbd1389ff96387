"""Expression language: tokenizer and recursive-descent parser (no eval) producing a small AST."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import NamedTuple

from app.errors import ModelInvalid

MAX_EXPR_LENGTH = 2000
MAX_DEPTH = 64
FUNCTIONS = {"SHIFT": 2, "MIN": 2, "MAX": 2, "CLAMP": 3}

_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>[-+*/(),])"
)


class Num(NamedTuple):
    """A numeric literal."""

    value: float


class Ref(NamedTuple):
    """A reference to another node's series."""

    name: str


class Neg(NamedTuple):
    """Unary minus."""

    operand: tuple


class BinOp(NamedTuple):
    """A binary arithmetic operation (+ - * /)."""

    op: str
    left: tuple
    right: tuple


class Call(NamedTuple):
    """A function call; for SHIFT the second argument is an int lag."""

    name: str
    args: tuple


class Token(NamedTuple):
    """One lexical token with its 0-based position."""

    kind: str
    text: str
    pos: int


@dataclass(frozen=True)
class ParsedExpr:
    """A parsed expression: its AST and the node ids it references (first-use order)."""

    ast: tuple
    refs: tuple[str, ...]


def _fail(message: str, pos: int | None = None, node: str | None = None) -> ModelInvalid:
    if pos is not None:
        message = f"{message} at position {pos}"
    message = f"node '{node}': {message}" if node is not None else message
    return ModelInvalid(message, details={f"nodes.{node}.expr" if node is not None else "expr": [message]})


def tokenize(text: str, node: str | None = None) -> list[Token]:
    """Split an expression into tokens, raising ModelInvalid on an unexpected character."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _fail(f"unexpected character {text[pos]!r}", pos, node)
        kind = match.lastgroup
        if kind != "ws":
            tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token], node: str | None):
        self.tokens = tokens
        self.index = 0
        self.node = node
        self.depth = 0
        self.refs: dict[str, None] = {}

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.current
        if token.text != text:
            if token.kind == "end" and text == ")":
                raise _fail("unbalanced parentheses: missing ')'", token.pos, self.node)
            raise _fail(f"expected {text!r} but found {self._describe(token)}", token.pos, self.node)
        return self.advance()

    def _describe(self, token: Token) -> str:
        return "end of expression" if token.kind == "end" else repr(token.text)

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _fail(f"expression nested too deeply (max depth {MAX_DEPTH})", pos, self.node)

    def parse(self) -> tuple:
        ast = self.additive()
        token = self.current
        if token.kind != "end":
            if token.text == ")":
                raise _fail("unbalanced parentheses: unexpected ')'", token.pos, self.node)
            raise _fail(f"unexpected token {token.text!r}", token.pos, self.node)
        return ast

    def additive(self) -> tuple:
        left = self.multiplicative()
        while self.current.text in ("+", "-") and self.current.kind == "op":
            op = self.advance().text
            left = BinOp(op, left, self.multiplicative())
        return left

    def multiplicative(self) -> tuple:
        left = self.unary()
        while self.current.text in ("*", "/") and self.current.kind == "op":
            op = self.advance().text
            left = BinOp(op, left, self.unary())
        return left

    def unary(self) -> tuple:
        token = self.current
        self.enter(token.pos)
        try:
            if token.kind == "op" and token.text in ("-", "+"):
                self.advance()
                operand = self.unary()
                return Neg(operand) if token.text == "-" else operand
            return self.primary()
        finally:
            self.depth -= 1

    def primary(self) -> tuple:
        token = self.advance()
        if token.kind == "num":
            return Num(_number(token, self.node))
        if token.kind == "name":
            if self.current.text == "(":
                return self.call(token)
            self.refs.setdefault(token.text, None)
            return Ref(token.text)
        if token.text == "(":
            inner = self.additive()
            self.expect(")")
            return inner
        if token.kind == "end":
            raise _fail("unexpected end of expression", token.pos, self.node)
        if token.text == ")":
            raise _fail("unbalanced parentheses: unexpected ')'", token.pos, self.node)
        raise _fail(f"unexpected token {token.text!r}", token.pos, self.node)

    def call(self, name_token: Token) -> tuple:
        name = name_token.text.upper()
        if name not in FUNCTIONS:
            raise _fail(f"unknown function {name_token.text!r}", name_token.pos, self.node)
        self.expect("(")
        args: list = []
        lag_token = None
        if self.current.text != ")":
            while True:
                if name == "SHIFT" and len(args) == 1:
                    lag_token = self.current
                args.append(self.additive())
                if self.current.text != ",":
                    break
                self.advance()
        self.expect(")")
        if len(args) != FUNCTIONS[name]:
            raise _fail(
                f"{name} takes {FUNCTIONS[name]} arguments but got {len(args)}", name_token.pos, self.node
            )
        if name == "SHIFT":
            args[1] = _lag(args[1], lag_token, self.node)
        return Call(name, tuple(args))


def _number(token: Token, node: str | None) -> float:
    value = float(token.text)
    if not math.isfinite(value):
        raise _fail(f"number {token.text!r} is out of range", token.pos, node)
    return value


def _lag(arg: tuple, token: Token, node: str | None) -> int:
    """SHIFT's lag must be a literal non-negative integer."""
    if isinstance(arg, Num) and token.kind == "num" and arg.value == int(arg.value):
        if re.fullmatch(r"\d+", token.text) and int(token.text) <= 10_000_000:
            return int(token.text)
    raise _fail("SHIFT lag must be a literal non-negative integer", token.pos, node)


def parse_expr(text: str, node: str | None = None) -> ParsedExpr:
    """Parse an expression string into a ParsedExpr, raising ModelInvalid with a position on error."""
    if not isinstance(text, str):
        raise _fail("expression must be a string", None, node)
    if len(text) > MAX_EXPR_LENGTH:
        raise _fail(f"expression is too long ({len(text)} > {MAX_EXPR_LENGTH} characters)", None, node)
    if not text.strip():
        raise _fail("expression is empty", None, node)
    parser = _Parser(tokenize(text, node), node)
    ast = parser.parse()
    return ParsedExpr(ast=ast, refs=tuple(parser.refs))
