"""README.md's walk-through of the shell must be what the shell really does: replay its
steps on the real clock and compare the screen, line by line (times within 0.3 s)."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import walkthrough  # noqa: E402

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")


def readme_block():
    text = open(README, encoding="utf-8").read()
    m = re.search(r"<!-- walkthrough: begin -->\n```\n(.*?)```\n<!-- walkthrough: end -->", text, re.S)
    if not m:
        raise AssertionError("README.md has no walkthrough block")
    return [l.rstrip() for l in m.group(1).split("\n") if l.strip()]


class ReadmeWalkthrough(unittest.TestCase):
    def test_the_readme_shows_what_the_shell_does(self):
        expected = readme_block()
        actual = walkthrough.play()
        self.assertEqual(len(expected), len(actual), "\n".join(actual))
        for e, a in zip(expected, actual):
            self.assertTrue(walkthrough.same(e, a), f"README: {e!r}\nshell:  {a!r}")


if __name__ == "__main__":
    unittest.main()
