"""Packages are listed here because resources/ (top level) ships inside the wheel as
coder/resources, found at run time with importlib.resources; pyproject.toml holds the rest."""

from setuptools import find_namespace_packages, find_packages, setup

# resources/ and each folder in it (demo/, icons/...) become coder.resources[.folder].
resources = ["coder.resources"] + [
    f"coder.resources.{name}" for name in find_namespace_packages(where="resources")
]

setup(
    packages=find_packages(include=["coder", "coder.*"]) + resources,
    package_dir={"coder.resources": "resources"},
    package_data={name: ["*"] for name in resources},
)
