"""gokart.s3_config: `[S3Config]` (names of the credential variables) read through luigi's configuration.

`s3://` paths use these settings plus luigi's `[s3]` section (endpoint_url, region_name,
aws_session_token, ...), read when S3 is first used, so config files added later still count.
Like gokart, `import gokart` does not load this module: the first S3 use does.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import luigi

import kart_storage
from gokart._extras import require_s3

if TYPE_CHECKING:
    from luigi.contrib.s3 import S3Client

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
    _client: S3Client | None = None

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

    def get_s3_client(self) -> S3Client:
        """luigi's S3 client with these credentials, made once per config instance (gokart's accessor)."""
        if self._client is None:
            self._client = self._get_s3_client()
        return self._client

    def _get_s3_client(self) -> S3Client:
        """A new luigi S3 client: credentials from the variables named here, the rest from `[s3]`."""
        require_s3()
        from luigi.contrib.s3 import S3Client

        return S3Client(
            aws_access_key_id=os.environ.get(str(self.aws_access_key_id_name)),
            aws_secret_access_key=os.environ.get(str(self.aws_secret_access_key_name)),
        )


__all__ = ["S3Config"]
