"""gokart.slack.slack_config: `[SlackConfig]`, read by gokart.run."""

import luigi


class SlackConfig(luigi.Config):
    token_name = luigi.Parameter(default="SLACK_TOKEN", description="Name of the variable holding the token.")
    channel = luigi.Parameter(default="", significant=False, description="Channel to post the summary to.")
    to_user = luigi.Parameter(default="", significant=False, description="User to mention (optional).")
    send_tree_info = luigi.BoolParameter(
        default=False, significant=False, description="Attach the task tree with details to the summary."
    )
    send_only_on_failure = luigi.BoolParameter(
        default=False, significant=False, description="kart: post only when a task failed."
    )


__all__ = ["SlackConfig"]
