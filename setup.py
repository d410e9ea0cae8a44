"""Packages are listed here because resources/ (top level) ships inside the wheel as
coder/resources, found at run time with importlib.resources; pyproject.toml holds the rest."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["coder", "coder.*"]) + ["coder.resources"],
    package_dir={"coder.resources": "resources"},
    package_data={"coder.resources": ["**/*"]},
)
