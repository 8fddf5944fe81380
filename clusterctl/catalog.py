"""Keep the Vietnamese catalogue in step with the code (a tool for developers; needs Babel,
which the ``test`` extra installs)::

    python -m clusterctl.catalog extract   # code -> locale/clusterctl.pot -> vi .po (merged)
    python -m clusterctl.catalog compile   # vi .po -> vi .mo, which the package ships, and
                                           # cli/listing.py, the root help's command list

The messages are clusterctl's own and those of Click and Typer that reach users (usage
errors, "Usage:", "Options:"), taken from the installed Click and Typer.
"""

import io
import pprint
import sys
from pathlib import Path

from clusterctl.i18n import DOMAIN, LOCALEDIR

POT = LOCALEDIR / f"{DOMAIN}.pot"
PO = LOCALEDIR / "vi" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")
LISTING = Path(__file__).parent / "cli" / "listing.py"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def sources() -> list[tuple[Path, str]]:
    """(folder, label) of every package whose messages users see."""
    import click
    import typer

    return [(Path(__file__).parent, "clusterctl"), (Path(click.__file__).parent, "click"),
            (Path(typer.__file__).parent, "typer")]


def template():
    """The catalogue of every message in the sources, untranslated."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="clusterctl", domain=DOMAIN, charset="utf-8")
    for folder, label in sources():
        for filename, lineno, message, comments, context in extract_from_dir(
                folder, method_map=[("**.py", "python")], keywords=KEYWORDS,
                comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            if label == "typer" and "rich_utils" in filename:
                continue  # Rich help is off (rich_markup_mode=None)
            catalog.add(message, None, [(f"{label}/{filename}", lineno)],
                        auto_comments=comments, context=context)
    for location, text in command_help():
        catalog.add(text, None, [(location, 0)])
    return catalog


def command_help() -> list[tuple[str, str]]:
    """(module, text) of every command's help taken from its docstring, as Click shows it
    (and as :func:`clusterctl.cli.lazy.translate_help` looks it up)."""
    import typer

    from clusterctl.cli.lazy import walk_commands
    from clusterctl.cli.main import app

    found = []
    for command in walk_commands(typer.main.get_command(app)):
        module = getattr(command.callback, "__module__", "clusterctl") or "clusterctl"
        texts = [command.help, command.short_help, *(getattr(p, "help", None)
                                                     for p in command.params)]
        found += [(module.replace(".", "/") + ".py", text) for text in texts if text]
    return found


def read_po(path: Path = PO):
    from babel.messages.pofile import read_po as read

    with path.open("rb") as handle:
        return read(handle, locale="vi", domain=DOMAIN)


def compiled(catalog) -> bytes:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def listing(catalog) -> str:
    """The source of ``cli/listing.py``: the first paragraph of each root command's help, in
    English and in ``catalog``'s Vietnamese, which ``clusterctl --help`` lists without
    building (or importing) any command."""
    import typer

    from clusterctl.cli.main import LAZY, app
    from clusterctl.i18n import LANGUAGE

    if LANGUAGE != "en":
        raise SystemExit("run with CLUSTERCTL_LANG=en: the listing is made from English help")
    root = typer.main.get_command(app)
    summaries = {}
    for name in LAZY:
        english = root.get_command(None, name).help
        found = catalog.get(english)
        vietnamese = found.string if found is not None and found.string else english
        summaries[name] = tuple(" ".join(text.split("\n\n")[0].split())
                                for text in (english, vietnamese))
    return ('"""What the root\'s help lists of each command: the first paragraph of its help,\n'
            "in English and Vietnamese, so that ``clusterctl --help`` builds none of them.\n"
            "Written by ``python -m clusterctl.catalog compile``; a test checks that it is\n"
            'current."""\n\nSUMMARIES = {\n' + "".join(
                _item(f"    {name!r}: ", pair) for name, pair in summaries.items()) + "}\n")


def _item(prefix: str, value) -> str:
    """``prefix`` and ``value`` as Python source, its lines within 96 columns."""
    lines = pprint.pformat(value, width=96 - len(prefix)).splitlines()
    return prefix + ("\n" + " " * len(prefix)).join(lines) + ",\n"


def untranslated(catalog, template_catalog) -> list[str]:
    """The template's messages that ``catalog`` does not translate."""
    missing = []
    for message in template_catalog:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = (found.string if isinstance(found.string, tuple | list)
                   else (found.string,)) if found is not None else ("",)
        if found is None or found.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str]) -> int:
    from babel.messages.pofile import write_po

    command = argv[0] if argv else ""
    if command == "extract":
        pot = template()
        with POT.open("wb") as handle:
            write_po(handle, pot, width=100, omit_header=False)
        if PO.exists():
            catalog = read_po()
            catalog.update(pot, no_fuzzy_matching=True)
        else:
            from babel.messages.catalog import Catalog

            PO.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale="vi", domain=DOMAIN, project="clusterctl")
            catalog.update(pot)
        with PO.open("wb") as handle:
            write_po(handle, catalog, width=100, ignore_obsolete=True)
        print(f"{len(pot)} messages; {len(untranslated(catalog, pot))} without a translation")
        return 0
    if command == "compile":
        MO.write_bytes(compiled(read_po()))
        LISTING.write_text(listing(read_po()), encoding="utf-8")
        print(f"wrote {MO} and {LISTING}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
