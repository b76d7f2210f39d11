#!/usr/bin/env python3
"""Lists the functions of src/ longer than a limit (default 100 lines), longest first.

A rough brace counter, not a parser: a function starts at a line that ends with '{' after a closing parenthesis
(or a constructor's initialiser list) and is not a control statement or a lambda; it ends where its braces balance.
Strings, character literals and comments are blanked first. Usage: tools/long-functions.py [limit] [paths…]
"""
import pathlib
import re
import sys

CONTROL = re.compile(r'^\s*(\}\s*)?(if|for|while|switch|else|do|catch|try|return|case|default)\b')
NOT_START = re.compile(r'(\]\s*(\([^)]*\))?\s*(mutable\s*)?(->\s*[\w:<>&*, ]+)?\s*\{$)|(=\s*\{$)|(^\s*(namespace|struct|class|enum|union|extern)\b)')


def blank(text):
    """Strings, character literals and comments replaced by spaces (line breaks kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('R"', i) and re.match(r'R"([^(\s]*)\(', text[i:]):
            delim = re.match(r'R"([^(\s]*)\(', text[i:]).group(1)
            j = text.find(')' + delim + '"', i)
            j = n if j < 0 else j + len(delim) + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + ' ' * (min(j, n) - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def functions(path):
    lines = blank(path.read_text(encoding='utf-8')).split('\n')
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        starts = line.endswith('{') and not CONTROL.match(line) and not NOT_START.search(line) and (
            re.search(r'\)\s*(const)?\s*(noexcept)?\s*(override)?\s*(->\s*[\w:<>&*, ]+)?\s*\{$', line)
            or re.search(r'\}\s*\{$', line))
        if not starts:
            i += 1
            continue
        # the signature may start on earlier lines: go back to the line that opens the parenthesis
        first = i
        depth = line.count(')') - line.count('(')
        while depth > 0 and first > 0:
            first -= 1
            depth += lines[first].count(')') - lines[first].count('(')
        name = re.search(r'([~\w:]+)\s*\(', ' '.join(l.strip() for l in lines[first:i + 1]))
        depth, j = 0, i
        while j < len(lines):
            depth += lines[j].count('{') - lines[j].count('}')
            if depth <= 0:
                break
            j += 1
        yield (name.group(1) if name else '?'), first + 1, j - first + 1
        i = j + 1


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    roots = [pathlib.Path(p) for p in sys.argv[2:]] or [pathlib.Path('src')]
    found = []
    for root in roots:
        for path in sorted(root.rglob('*.[ch]pp') if root.is_dir() else [root]):
            found += [(length, f'{path}:{line}', name) for name, line, length in functions(path) if length > limit]
    for length, where, name in sorted(found, reverse=True):
        print(f'{length:5d}  {where}  {name}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
