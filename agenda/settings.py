"""Every knob in one place: paths, limits, ranking weights.

Read from (highest first) explicit arguments, environment variables `KENNISAGENDA_*`
(nested with `__`, e.g. `KENNISAGENDA_RANK__SECTORS=2`), a TOML settings file
(`kennisagenda.toml` in the working directory, or the file named by
`KENNISAGENDA_SETTINGS_FILE` / `--settings`; failing those, a build reads the
`kennisagenda.toml` in its inputs folder, see `settings_file_for`), then the defaults below.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


# Operator values are checked before anything runs: a misspelt key is an error (never silently
# ignored), numbers are finite, limits positive, weights not negative.
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


class Limits(BaseModel):
    """Bounds on untrusted input. A file over a bound is rejected with a reason, never half-read."""

    model_config = _STRICT

    max_file_mb: float = Field(25.0, gt=0)  # any input file on disk
    max_docx_uncompressed_mb: float = Field(100.0, gt=0)  # sum of a .docx/.xlsx zip's members: zip bombs
    max_docx_ratio: float = Field(200.0, gt=0)  # uncompressed / compressed; real Word files stay far below
    max_yaml_aliases: int = Field(100, ge=0)  # YAML alias bombs ("billion laughs")
    max_cell_chars: int = Field(10_000, gt=0)  # one survey cell / one question
    max_rows: int = Field(100_000, gt=0)  # survey rows per file
    max_pdf_pages: int = Field(1000, gt=0)  # pages of one PDF (its zlib streams are bounded by the two zip limits above)


# A weight is finite but may still be huge: `sources = 1e308` made every score infinite, stored a
# version whose scores read back as null, and then every later build and `show` failed on it.
MAX_WEIGHT = 1000.0


class RankWeights(BaseModel):
    """Score = sum of weight × count. Defaults are documented in the README."""

    model_config = _STRICT

    sources: float = Field(1.0, ge=0, le=MAX_WEIGHT)  # per distinct source (role-balanced, see role_cap)
    schools: float = Field(0.5, ge=0, le=MAX_WEIGHT)  # per distinct school
    kinds: float = Field(0.5, ge=0, le=MAX_WEIGHT)  # per distinct source kind beyond the first (meeting, case, survey, publication)
    sectors: float = Field(1.0, ge=0, le=MAX_WEIGHT)  # per distinct sector
    roles: float = Field(0.5, ge=0, le=MAX_WEIGHT)  # per distinct role
    levels: float = Field(0.25, ge=0, le=MAX_WEIGHT)  # per distinct level
    role_cap: float = Field(0.5, gt=0, le=1)  # no role group may contribute more than this share of the source count
    # optional decay of old mentions; None = off. At least a day: shorter overflows 0.5 ** (age / half-life)
    recency_half_life_days: float | None = Field(None, ge=1)


class Vocabulary(BaseModel):
    """Extensions of the context vocabulary (agenda/context.py) for this agenda.

    ``roles``: written name → role, e.g. ``{"rt'er" = "remedial teacher", "vakdocent" = "vakleerkracht"}``;
    consulted before the built-in names (case, accents, hyphens and apostrophes ignored)."""

    model_config = _STRICT

    roles: dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=5_000)


class _TomlSource(TomlConfigSettingsSource):
    """A TOML settings file that may start with a byte-order mark: Windows Notepad's "UTF-8 met BOM"
    (tomllib refuses it: 'Invalid statement (at line 1, column 1)', which no operator can act on)."""

    def _read_file(self, file_path):  # type: ignore[override]
        import tomllib

        with file_path.open(mode="rb") as fh:
            data = tomllib.loads(fh.read().decode("utf-8-sig"))
        _check_toml_types(data, Settings, file_path)  # the fields are Settings' in every subclass
        return data


def _check_toml_types(data: dict, model: type[BaseModel], file_path: Path, prefix: str = "") -> None:
    """TOML has real booleans and numbers, so a quoted one is a mistake, not a value to coerce:
    pydantic's lax mode reads `allow_shrink = "yes"` as true and `max_file_mb = "25"` as 25
    (environment variables stay lax: they are always text). Raises SettingsError."""
    import types
    import typing

    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            continue  # a misspelt key: pydantic's extra="forbid" names it
        annotation = field.annotation
        union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
        expected = set(typing.get_args(annotation)) if union else {annotation}
        expected.discard(type(None))
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            nested = [t for t in expected if isinstance(t, type) and issubclass(t, BaseModel)]
            if nested:
                _check_toml_types(value, nested[0], file_path, f"{name}.")
            continue
        if bool in expected and not isinstance(value, bool):
            reason = "moet true of false zijn (zonder aanhalingstekens)"
        elif expected & {int, float} and (isinstance(value, (str, bool))):
            reason = "moet een getal zijn (zonder aanhalingstekens)"
        else:
            continue
        raise SettingsError(f"{file_path}: instelling '{name}' {reason}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KENNISAGENDA_",
        env_nested_delimiter="__",
        toml_file="kennisagenda.toml",
        extra="forbid",
        allow_inf_nan=False,
    )

    inputs_dir: Path = Path("inputs")
    db_path: Path = Path("outputs/kennisagenda.duckdb")
    out_dir: Path = Path("outputs")
    # Bounded: the settings travel to Prefect as flow-run parameters, which it refuses over 512 KB (a
    # 660 KB title stopped the build after reading and embedding, with HTTP 422); a title is a line
    # neutral unless set: an agenda on another theme must not carry the sample's name (the sample
    # corpus names itself in inputs/kennisagenda.toml)
    title: str = Field("Kennisagenda", max_length=500)
    knowledge_table: str = Field("", max_length=500)
    survey_question_column: str | None = Field(None, max_length=1_000)  # else vraag/kennisvraag/vraagstuk/question
    themes_file: Path | None = None  # else the shipped agenda/data/themes.yaml
    # who the knowledge table meant to hear (report: "Wie zijn er gehoord"); empty: what the inputs show
    expected_roles: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=500)
    expected_sectors: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=500)
    limits: Limits = Field(default_factory=Limits)
    rank: RankWeights = Field(default_factory=RankWeights)
    vocabulary: Vocabulary = Field(default_factory=Vocabulary)  # extra role names (agenda/context.py)
    task_runner: Literal["thread", "dask"] = "thread"
    lock_timeout_seconds: float = Field(0.0, ge=0, le=7 * 24 * 3600)  # a second build or a reader: wait this long, then exit 3
    allow_shrink: bool = False  # build even when the inputs give < half of the last version's sources

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # an explicit --settings file (see load_settings) beats $KENNISAGENDA_SETTINGS_FILE beats ./kennisagenda.toml
        toml_path = settings_cls.model_config.get("toml_file")
        if toml_path == "kennisagenda.toml":
            toml_path = os.environ.get("KENNISAGENDA_SETTINGS_FILE", toml_path)
        return (init_settings, env_settings, _TomlSource(settings_cls, toml_file=toml_path))

    def fingerprint(self) -> str:
        """Hash of the settings that shape the agenda (not where files go)."""
        relevant = self.model_dump(mode="json", exclude={"inputs_dir", "db_path", "out_dir", "lock_timeout_seconds",
                                                         "task_runner", "allow_shrink"})
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


class SettingsError(ValueError):
    """Settings that cannot be used: one Dutch line naming the file (or variable), the key and why."""


_REASONS = {
    "extra_forbidden": "onbekende instelling (typefout?)",
    "finite_number": "moet een gewoon getal zijn (geen nan of inf)",
    "greater_than": "moet groter zijn dan {gt}",
    "greater_than_equal": "moet minstens {ge} zijn",
    "less_than_equal": "mag hooguit {le} zijn",
    "float_parsing": "moet een getal zijn",
    "float_type": "moet een getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_type": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "bool_parsing": "moet true of false zijn",
    "bool_type": "moet true of false zijn",
    "string_type": "moet tekst zijn",
    "literal_error": "moet een van {expected} zijn",
    "model_type": "moet een tabel zijn ([sectie])",
    "missing": "ontbreekt",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een tabel zijn ([sectie])",
    "string_too_long": "is te lang: hooguit {max_length} tekens",
    "too_long": "heeft te veel onderdelen: hooguit {max_length}",
}


def dutch_reason(error: dict) -> str:
    """A pydantic error (one item of `ValidationError.errors()`) as a short Dutch reason."""
    if error["type"] == "value_error" and (ctx_error := (error.get("ctx") or {}).get("error")) is not None:
        return str(ctx_error)  # our own validators already speak Dutch
    template = _REASONS.get(error["type"])
    if template is None:
        return f"ongeldige waarde ({error['msg']})"
    try:
        ctx = {k: (f"{v:g}" if isinstance(v, float) else str(v).replace(" or ", " of "))
               for k, v in (error.get("ctx") or {}).items()}
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


# KENNISAGENDA_* variables that are not settings (read where they are used)
OTHER_VARIABLES = frozenset({"SETTINGS_FILE", "DEBUG", "VERBOSE", "CONSOLE", "SUPERVISED", "READ_THREADS",
                             "DASK_ADDRESS", "EMBEDDER", "ONNX_MODEL", "E5_DIR"})


def _unknown_variables() -> list[str]:
    """KENNISAGENDA_* environment variables that name no setting: pydantic-settings ignores them, so
    a misspelt `KENNISAGENDA_LOCK_TIMEOUT=900` left a scheduled build at the default without a word."""
    prefix = Settings.model_config["env_prefix"]
    unknown = []
    for name in os.environ:
        if not name.upper().startswith(prefix):
            continue
        rest = name[len(prefix):].upper()
        if rest in OTHER_VARIABLES or rest.split("__")[0].lower() in Settings.model_fields:
            continue  # a nested name's own keys are checked by pydantic (extra="forbid")
        unknown.append(name)
    return sorted(unknown)


def _check_settings_file(path: Path, how: str) -> None:
    """A settings file named by the operator must be a file: pydantic-settings silently ignores a
    missing one (a share not mounted gave a build with the default settings)."""
    if Path(path).is_dir():
        raise FileNotFoundError(f"instellingenbestand {path}{how} is een map, geen bestand; noem het TOML-bestand zelf")
    if not Path(path).is_file():
        raise FileNotFoundError(f"instellingenbestand niet gevonden: {path}{how}")


INPUTS_SETTINGS = "kennisagenda.toml"  # a knowledge table's own settings may travel with its inputs


def settings_file_for(inputs_dir: Path | str, settings_file: Path | None = None) -> Path | None:
    """The settings file a build of `inputs_dir` reads: `settings_file` (``--settings``) when given;
    else None (``$KENNISAGENDA_SETTINGS_FILE`` or ``./kennisagenda.toml``, read as always) when one of
    those exists; else ``<inputs_dir>/kennisagenda.toml`` when there is one (title, expected groups,
    … of the knowledge table whose inputs these are), else None (the defaults)."""
    if settings_file is not None or os.environ.get("KENNISAGENDA_SETTINGS_FILE") or Path("kennisagenda.toml").is_file():
        return settings_file
    beside = Path(inputs_dir) / INPUTS_SETTINGS
    return beside if beside.is_file() else None


def _settings_origin(settings_file: Path | None) -> str:
    if settings_file is not None:
        return str(settings_file)
    path = os.environ.get("KENNISAGENDA_SETTINGS_FILE", "kennisagenda.toml")
    return path if Path(path).is_file() else "de omgevingsvariabelen KENNISAGENDA_*"


def load_settings(settings_file: Path | None = None, **overrides: object) -> Settings:
    """Settings from the environment and a TOML file, with explicit overrides on top.

    Raises FileNotFoundError for a missing file (`settings_file` or $KENNISAGENDA_SETTINGS_FILE)
    and SettingsError (Dutch: file, key, reason) for a misspelt key or KENNISAGENDA_* variable, a
    non-finite or out-of-range number or a broken TOML file.
    """
    import tomllib

    cls: type[Settings] = Settings
    if unknown := _unknown_variables():
        raise SettingsError(f"omgevingsvariabele {unknown[0]}: onbekende instelling (typefout?); "
                            "pas de naam aan of verwijder de variabele")
    if settings_file is None and os.environ.get("KENNISAGENDA_SETTINGS_FILE"):
        _check_settings_file(Path(os.environ["KENNISAGENDA_SETTINGS_FILE"]), " (KENNISAGENDA_SETTINGS_FILE)")
    if settings_file is not None:
        _check_settings_file(settings_file, "")

        class FileSettings(Settings):  # the same settings, read from this file (no global state touched)
            model_config = SettingsConfigDict(**{**Settings.model_config, "toml_file": str(settings_file)})

        cls = FileSettings
    origin = _settings_origin(settings_file)
    try:
        return cls(**{k: v for k, v in overrides.items() if v is not None})
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{origin}: geen geldige TOML ({exc})") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{origin}: geen UTF-8-tekst") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        more = f" (en nog {exc.error_count() - 1} fout(en))" if exc.error_count() > 1 else ""
        raise SettingsError(f"{origin}: instelling '{key}' {dutch_reason(err)}{more}") from None
