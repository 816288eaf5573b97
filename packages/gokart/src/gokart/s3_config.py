"""gokart.s3_config: `[S3Config]` (names of the credential variables) read through luigi's configuration.

Importing gokart makes every `s3://` path use these settings plus luigi's `[s3]` section (endpoint_url,
region_name, aws_session_token, ...), read when S3 is first used, so config files added later still count.
"""

from __future__ import annotations

from typing import Any

import luigi

import kart_storage

_S3_SECTION_FIELDS = (
    "endpoint_url",
    "region_name",
    "aws_session_token",
    "aws_role_arn",
    "aws_role_session_name",
)


class S3Config(luigi.Config):
    aws_access_key_id_name = luigi.Parameter(
        default="AWS_ACCESS_KEY_ID", description="AWS access key id env var name"
    )
    aws_secret_access_key_name = luigi.Parameter(
        default="AWS_SECRET_ACCESS_KEY", description="AWS secret access key env var name"
    )

    def storage_config(self) -> kart_storage.S3Config:
        """The kart-storage settings these options (and luigi's `[s3]` section) stand for."""
        config = luigi.configuration.get_config()
        section: dict[str, Any] = dict(config.items("s3")) if config.has_section("s3") else {}
        known = {name: section.pop(name) for name in _S3_SECTION_FIELDS if name in section}
        return kart_storage.S3Config(
            aws_access_key_id_name=str(self.aws_access_key_id_name),
            aws_secret_access_key_name=str(self.aws_secret_access_key_name),
            client_options={},
            **known,
        )

    def get_s3_client(self) -> Any:
        """A boto3 S3 client with these settings (gokart's accessor)."""
        import boto3

        return boto3.client("s3", **self.storage_config().client_kwargs())


def _s3_filesystem() -> kart_storage.FileSystem:
    return kart_storage.S3FileSystem(S3Config().storage_config())


kart_storage.register_filesystem("s3", _s3_filesystem)

__all__ = ["S3Config"]
