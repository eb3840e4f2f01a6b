import type { ProjectTemplate } from "./template-types";

// Standard library only (the image has numpy and pandas but not pytest): tests use unittest,
// and "build" is a byte-compile, which catches syntax errors in every module.
export const pythonScriptTemplate: ProjectTemplate = {
  id: "python-script",
  name: "Python Script",
  description: "Python 3 word-statistics script with unittest tests.",
  image: "python",
  entryPoint: "main.py",
  commands: {
    install: "python3 --version",
    run: "python3 main.py",
    test: "python3 -m unittest discover -s tests -t . -v",
    build: "python3 -m compileall -q .",
    dev: null,
  },
  files: {
    "README.md": `# Python Script

A small Python 3 program: \`main.py\` prints word statistics for a text (a file given as the
first argument, or a built-in sample); the logic lives in \`wordstats.py\`.

- Run: \`python3 main.py [file.txt]\`
- Test: \`python3 -m unittest discover -s tests -t . -v\` (standard library \`unittest\`;
  pytest is not in the sandbox image).
- numpy and pandas are preinstalled in the image. By default the sandbox has no network; with the
  project's network policy set to "Package registries", \`python3 -m venv .venv && .venv/bin/pip install <pkg>\`
  reaches PyPI through the egress proxy.
`,
    "main.py": `"""Word statistics for a text: the entry point reads a file (or a sample) and prints a report."""

import sys
from pathlib import Path

from wordstats import top_words, word_count

SAMPLE = "the quick brown fox jumps over the lazy dog the end"


def main(argv: list[str]) -> int:
    text = Path(argv[1]).read_text(encoding="utf-8") if len(argv) > 1 else SAMPLE
    print(f"words: {word_count(text)}")
    for word, count in top_words(text, 3):
        print(f"{word}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
`,
    "tests/__init__.py": `# Makes tests/ a package, so \`unittest discover -t .\` can import it.\n`,
    "tests/test_wordstats.py": `import unittest

from wordstats import top_words, word_count, words


class WordStatsTest(unittest.TestCase):
    def test_splits_and_lowercases(self) -> None:
        self.assertEqual(words("Hello, World! Hello."), ["hello", "world", "hello"])

    def test_counts_words(self) -> None:
        self.assertEqual(word_count("one two  three"), 3)
        self.assertEqual(word_count(""), 0)

    def test_top_words_breaks_ties_alphabetically(self) -> None:
        self.assertEqual(top_words("b a b a c", 2), [("a", 2), ("b", 2)])


if __name__ == "__main__":
    unittest.main()
`,
    "wordstats.py": `"""Pure functions, kept apart from main.py so the tests import them without side effects."""

import re
from collections import Counter

WORD = re.compile(r"[a-zà-ÿ']+")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def word_count(text: str) -> int:
    return len(words(text))


def top_words(text: str, n: int) -> list[tuple[str, int]]:
    """The n most frequent words; ties are broken alphabetically so the output is stable."""
    counts = Counter(words(text))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]
`,
  },
};
