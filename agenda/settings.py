"""Every knob in one place: paths, limits, ranking weights.

Read from (highest first) explicit arguments, environment variables `KENNISAGENDA_*`
(nested with `__`, e.g. `KENNISAGENDA_RANK__SECTORS=2`), a TOML settings file
(`kennisagenda.toml` in the working directory, or the file named by
`KENNISAGENDA_SETTINGS_FILE` / `--settings`), then the defaults below.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


class Limits(BaseModel):
    """Bounds on untrusted input. A file over a bound is rejected with a reason, never half-read."""

    max_file_mb: float = 25.0  # any input file on disk
    max_docx_uncompressed_mb: float = 100.0  # sum of a .docx/.xlsx zip's members: zip bombs
    max_docx_ratio: float = 200.0  # uncompressed / compressed; real Word files stay far below
    max_yaml_aliases: int = 100  # YAML alias bombs ("billion laughs")
    max_cell_chars: int = 10_000  # one survey cell / one question
    max_rows: int = 100_000  # survey rows per file


class RankWeights(BaseModel):
    """Score = sum of weight × count. Defaults are documented in the README."""

    sources: float = 1.0  # per distinct source (role-balanced, see role_cap)
    schools: float = 0.5  # per distinct school
    kinds: float = 0.5  # per distinct source kind beyond the first (meeting, case, survey, publication)
    sectors: float = 1.0  # per distinct sector
    roles: float = 0.5  # per distinct role
    levels: float = 0.25  # per distinct level
    role_cap: float = 0.5  # no role group may contribute more than this share of the source count
    recency_half_life_days: float | None = None  # optional decay of old mentions; None = off


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KENNISAGENDA_",
        env_nested_delimiter="__",
        toml_file="kennisagenda.toml",
        extra="ignore",
    )

    inputs_dir: Path = Path("inputs")
    db_path: Path = Path("outputs/kennisagenda.duckdb")
    out_dir: Path = Path("outputs")
    title: str = "Kennisagenda gepersonaliseerd leren met ict"
    knowledge_table: str = "Kennistafel Gepersonaliseerd leren met ict"
    survey_question_column: str | None = None  # else the first of vraag/kennisvraag/vraagstuk/question
    themes_file: Path | None = None  # else the shipped agenda/data/themes.yaml
    limits: Limits = Field(default_factory=Limits)
    rank: RankWeights = Field(default_factory=RankWeights)
    task_runner: Literal["thread", "dask"] = "thread"
    lock_timeout_seconds: float = 0.0  # a second build waits this long for the database, then exits 3

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
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_path))

    def fingerprint(self) -> str:
        """Hash of the settings that shape the agenda (not where files go)."""
        relevant = self.model_dump(mode="json", exclude={"inputs_dir", "db_path", "out_dir", "lock_timeout_seconds", "task_runner"})
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def load_settings(settings_file: Path | None = None, **overrides: object) -> Settings:
    """Settings from the environment and a TOML file, with explicit overrides on top."""
    cls: type[Settings] = Settings
    if settings_file is not None:
        if not Path(settings_file).is_file():
            raise FileNotFoundError(f"instellingenbestand niet gevonden: {settings_file}")

        class FileSettings(Settings):  # the same settings, read from this file (no global state touched)
            model_config = SettingsConfigDict(**{**Settings.model_config, "toml_file": str(settings_file)})

        cls = FileSettings
    return cls(**{k: v for k, v in overrides.items() if v is not None})
