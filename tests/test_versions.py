"""How the guard reads an installed release's version without importing it
(starlette_asyncstream._versions), against real directory layouts: a wheel's
.dist-info beside the package, an egg's and a `setup.py develop` .egg-info,
an editable install whose metadata is elsewhere on sys.path, a vendored copy
with none, entries of sys.path and sys.meta_path that are not what they seem."""

import sys

import pytest

from starlette_asyncstream._versions import installed_version

pytestmark = pytest.mark.timeout(30)

NAME = "sa_versions_probe"  # a package made here, on sys.path only for one test


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A directory first on sys.path (the import system's caches forgotten), with the probe package."""
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, NAME, raising=False)
    return tmp_path


def pkg_info(directory, *lines):
    directory.mkdir()
    (directory / "PKG-INFO").write_text("".join(line + "\n" for line in lines))


@pytest.mark.parametrize("metadata, version", [
    ("{}-1.2.3.dist-info", "1.2.3"),  # a wheel's
    ("{}-0.4.0-py3.8.egg-info", "0.4.0"),  # an egg's: its Python after the version
    ("{}.egg-info", ""),  # no version in the name and no PKG-INFO: a copy without a version
], ids=["wheel", "egg", "egg-info without PKG-INFO"])
def test_the_version_in_the_metadata_beside_the_package(site, metadata, version):
    (site / metadata.format(NAME)).mkdir()
    assert installed_version(NAME) == version


def test_a_develop_egg_info_has_its_version_inside(site):
    # (the first line of PKG-INFO is Metadata-Version: not the release's)
    pkg_info(site / "{}.egg-info".format(NAME), "Metadata-Version: 2.1", "Name: {}".format(NAME), "Version: 0.6.2",
             "Summary: a: b")
    assert installed_version(NAME) == "0.6.2"


def test_a_vendored_copy_without_metadata_has_no_version_to_read(site):
    assert installed_version(NAME) == ""


def test_not_installed_is_none(site):
    assert installed_version(NAME + "_absent") is None


def test_an_imported_modules_own_version_string_comes_first(site, monkeypatch):
    (site / "{}-1.2.3.dist-info".format(NAME)).mkdir()
    module = type(sys)(NAME)
    module.__version__ = "9.9"
    monkeypatch.setitem(sys.modules, NAME, module)
    assert installed_version(NAME) == "9.9"
    module.__version__ = (9, 9)  # not a string: the metadata says
    assert installed_version(NAME) == "1.2.3"


def test_an_editable_installs_metadata_elsewhere_on_sys_path(site, tmp_path_factory, monkeypatch):
    # The package in a checkout, its .dist-info in site-packages (later on sys.path); a file
    # (a zip) and a missing directory on sys.path between them are passed over.
    elsewhere = tmp_path_factory.mktemp("site-packages")
    (elsewhere / "{}-2.0.0.dist-info".format(NAME)).mkdir()
    monkeypatch.setattr(sys, "path", sys.path[:1] + [str(site / NAME / "__init__.py"), str(site / "gone"),
                                                     str(elsewhere)] + sys.path[1:])
    assert installed_version(NAME) == "2.0.0"


def test_the_current_directory_as_an_empty_sys_path_entry(site, tmp_path_factory, monkeypatch):
    cwd = tmp_path_factory.mktemp("cwd")
    (cwd / "{}-3.1.0.dist-info".format(NAME)).mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "path", sys.path[:1] + [""] + sys.path[1:])
    assert installed_version(NAME) == "3.1.0"


class NoFindSpec:
    """An old finder (find_module only): skipped, as the import system skips it."""


class Refusing:
    def __init__(self, error):
        self.error = error

    def find_spec(self, name, path, target=None):
        if name == NAME:
            raise self.error
        return None


def test_finders_without_find_spec_are_passed_over(site, monkeypatch):
    (site / "{}-1.2.3.dist-info".format(NAME)).mkdir()
    monkeypatch.setattr(sys, "meta_path", [NoFindSpec()] + sys.meta_path)
    assert installed_version(NAME) == "1.2.3"


@pytest.mark.parametrize("error", [ImportError("refused"), ValueError("refused")], ids=["ImportError", "ValueError"])
def test_a_finder_that_refuses_the_name_means_not_installed(site, monkeypatch, error):
    (site / "{}-1.2.3.dist-info".format(NAME)).mkdir()
    monkeypatch.setattr(sys, "meta_path", [Refusing(error)] + sys.meta_path)
    assert installed_version(NAME) is None


def test_a_plain_module_is_not_one_of_the_packages_read(site):
    # (no submodule_search_locations: nothing to read beside it)
    (site / "{}_module.py".format(NAME)).write_text("")
    (site / "{}_module-1.0.dist-info".format(NAME)).mkdir()
    assert installed_version(NAME + "_module") is None
