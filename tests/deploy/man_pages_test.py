"""deploy/man: lbd.8 and lbctl.8 render without warnings and keep up with the programs' --help.

Every flag that `lbd --help` lists is an entry (.TP/.TQ) of lbd.8; every command of `lbctl --help`
has its subsection in lbctl.8 and each of its options an entry. A flag added to a program without
its man page fails here. LBD and LBCTL name the built programs.
"""

import itertools
import os
import re
import subprocess
import unittest
from pathlib import Path

MAN = Path(__file__).resolve().parent.parent.parent / "deploy" / "man"
LBD = os.environ["LBD"]
LBCTL = os.environ["LBCTL"]


def output(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def section(help_text, title):
    """The lines of one section of a --help page: from its title to the next unindented line."""
    lines = help_text.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if lines[i] and not lines[i][0].isspace()), len(lines))
    return lines[start:end]


def flags(lines):
    """Long flags that start a line, after an optional short one: '-h [ --help ]', '-h, --help', '--iface IF'."""
    found = []
    for line in lines:
        match = re.match(r"\s+(?:-\w(?: \[ |, ))?--([\w-]+)", line)
        if match:
            found.append(match.group(1))
    return found


def plain(roff_line):
    """A roff line as it reads: escapes of fonts and hyphens undone, macro name dropped."""
    text = re.sub(r"\\f[BIRP]", "", roff_line).replace("\\-", "-").replace('"', "")
    return re.sub(r"^\.[A-Z]+\s*", "", text)


def entries(page):
    """The flags named by the terms of a page's .TP and .TQ entries (the line after each)."""
    lines = (MAN / page).read_text().splitlines()
    terms = [plain(lines[i + 1]) for i, line in enumerate(lines[:-1]) if line in (".TP", ".TQ")]
    return {flag for term in terms for flag in re.findall(r"--[\w-]+", term)}


def subsection_commands(page):
    """The command path of each subsection title: its lowercase words after 'lbctl', up to an operand or option."""
    paths = set()
    for line in (MAN / page).read_text().splitlines():
        if line.startswith(".SS "):
            words = plain(line).split()[1:]
            paths.add(" ".join(itertools.takewhile(lambda word: re.fullmatch(r"[a-z]+", word), words)))
    return paths


def lbctl_commands():
    """The command paths of `lbctl --help`: the words of each COMMANDS line before its two-space gap."""
    commands = []
    for line in section(output(LBCTL, "--help"), "COMMANDS"):
        match = re.match(r"    (\S+(?: \S+)*?)  +\S", line)
        if match:
            commands.append(match.group(1))
    return commands


class Rendering(unittest.TestCase):
    def test_no_warnings(self):
        for page in ("lbd.8", "lbctl.8"):
            with self.subTest(page=page):
                groff = subprocess.run(["groff", "-man", "-ww", "-z", MAN / page], capture_output=True, text=True)
                self.assertEqual((groff.returncode, groff.stderr), (0, ""))
                man = subprocess.run(["man", "--warnings", "-l", MAN / page], capture_output=True, text=True,
                                     env=dict(os.environ, MANWIDTH="80", MAN_KEEP_STDERR="1"))
                self.assertEqual((man.returncode, man.stderr), (0, ""))
                self.assertIn("SYNOPSIS", man.stdout)


class Lbd(unittest.TestCase):
    def test_every_flag_has_an_entry(self):
        listed = flags(section(output(LBD, "--help"), "OPTIONS"))
        self.assertIn("iface", listed)  # the parsing works
        missing = [flag for flag in listed if "--" + flag not in entries("lbd.8")]
        self.assertEqual(missing, [], "flags of lbd --help that lbd.8 does not describe")


class Lbctl(unittest.TestCase):
    def test_every_command_has_a_subsection(self):
        commands = lbctl_commands()
        self.assertIn("farm add", commands)
        documented = subsection_commands("lbctl.8")
        missing = [path for path in commands if path not in documented]
        self.assertEqual(missing, [], "commands of lbctl --help without their subsection in lbctl.8")

    def test_every_option_has_an_entry(self):
        documented = entries("lbctl.8")
        listed = {flag for flag in flags(section(output(LBCTL, "--help"), "GLOBAL OPTIONS"))}
        for path in lbctl_commands():
            page = output(LBCTL, *path.split(), "--help")
            if "OPTIONS" in page.splitlines():
                listed.update(flags(section(page, "OPTIONS")))
        self.assertIn("check-path", listed)
        missing = sorted(flag for flag in listed if "--" + flag not in documented)
        self.assertEqual(missing, [], "options of lbctl that lbctl.8 does not describe")


if __name__ == "__main__":
    unittest.main()
