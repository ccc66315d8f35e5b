"""The Debian package (cpack -G DEB) and its systemd unit.

The package is built from this build tree into a temporary directory, its metadata and contents
are checked, and it is unpacked into a temporary root (dpkg -x, never installed on this machine),
from which its programs run and its unit is verified by systemd-analyze. XDPLB_BUILD_DIR names the
build tree, XDPLB_VERSION the project's version.
"""

import gzip
import os
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

BUILD = Path(os.environ["XDPLB_BUILD_DIR"])
VERSION = os.environ["XDPLB_VERSION"]
DEPLOY = Path(__file__).resolve().parent.parent.parent / "deploy"

EXPECTED_FILES = [
    "/usr/sbin/lbd",
    "/usr/bin/lbctl",
    "/usr/lib/xdplb/xdplb.bpf.o",
    "/lib/systemd/system/lbd.service",
    "/etc/default/xdplb",
    "/usr/share/man/man8/lbd.8.gz",
    "/usr/share/man/man8/lbctl.8.gz",
    "/usr/share/bash-completion/completions/lbctl",
    "/usr/share/bash-completion/completions/lbd",
    "/usr/share/doc/xdplb/examples/http-farm.json",
    "/usr/share/doc/xdplb/examples/mysql-farm.json",
]


def run(*command, **options):
    return subprocess.run(command, check=True, capture_output=True, text=True, **options).stdout


class Package(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory()
        work = Path(cls.directory.name)
        run("cpack", "-G", "DEB", "-B", str(work / "out"), "--config", str(BUILD / "CPackConfig.cmake"), cwd=BUILD)
        architecture = run("dpkg", "--print-architecture").strip()
        cls.deb = work / "out" / f"xdplb_{VERSION}_{architecture}.deb"
        cls.root = work / "root"
        run("dpkg", "-x", str(cls.deb), str(cls.root))

    @classmethod
    def tearDownClass(cls):
        cls.directory.cleanup()

    def field(self, name):
        return run("dpkg-deb", "--field", str(self.deb), name).strip()

    def test_metadata(self):
        self.assertEqual(self.field("Package"), "xdplb")
        self.assertEqual(self.field("Version"), VERSION)
        depends = {re.sub(r" \(.*\)", "", name.strip()) for name in self.field("Depends").split(",")}
        for library in ("libbpf1", "libxdp1", "libsystemd0", "libc6"):
            self.assertIn(library, depends)

    def test_conffiles(self):
        control = Path(self.directory.name) / "control"
        run("dpkg-deb", "--control", str(self.deb), str(control))
        self.assertEqual((control / "conffiles").read_text().split(), ["/etc/default/xdplb"])
        for script in ("postinst", "prerm", "postrm"):
            self.assertTrue(os.access(control / script, os.X_OK), script)

    def test_contents(self):
        listing = run("dpkg-deb", "--contents", str(self.deb))
        listed = {line.split()[-1].removeprefix(".") for line in listing.splitlines()}
        self.assertEqual([path for path in EXPECTED_FILES if path not in listed], [])

    def test_installed_programs_run(self):
        lbd = self.root / "usr/sbin/lbd"
        self.assertIn("--iface", run(str(lbd), "--help"))
        self.assertEqual(run(str(lbd), "--version").strip(), f"lbd {VERSION}")
        self.assertIn("farm add", run(str(self.root / "usr/bin/lbctl"), "--help"))

    def test_shipped_texts_are_the_sources(self):
        for page in ("lbd.8", "lbctl.8"):
            packed = gzip.decompress((self.root / "usr/share/man/man8" / f"{page}.gz").read_bytes())
            self.assertEqual(packed, (DEPLOY / "man" / page).read_bytes(), page)
        self.assertEqual((self.root / "etc/default/xdplb").read_bytes(),
                         (DEPLOY / "systemd/xdplb.default").read_bytes())

    def test_unit_verifies(self):
        """systemd-analyze verify of the installed unit: its ExecStart pointed at the unpacked lbd (verify
        wants the program to exist), its Documentation= found among the unpacked man pages."""
        unit = (self.root / "lib/systemd/system/lbd.service").read_text()
        self.assertIn("ExecStart=/usr/sbin/lbd $LBD_OPTIONS\n", unit)
        self.assertIn("Type=notify\n", unit)
        relocated = Path(self.directory.name) / "lbd.service"
        relocated.write_text(unit.replace("ExecStart=/usr/sbin/lbd", f"ExecStart={self.root}/usr/sbin/lbd"))
        verify = subprocess.run(["systemd-analyze", "verify", str(relocated)], capture_output=True, text=True,
                                env=dict(os.environ, MANPATH=str(self.root / "usr/share/man")))
        self.assertEqual((verify.returncode, verify.stderr), (0, ""))


if __name__ == "__main__":
    unittest.main()
