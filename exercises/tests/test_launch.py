"""`make run` says how to install bubblewrap when it is missing, and starts the `sandbox` queue's worker."""

from __future__ import annotations

from config import launch
from trainer.models import Job


class LaunchTests:
    def test_it_says_how_to_install_bubblewrap_when_it_is_missing(
        self, monkeypatch, tmp_path, capsys
    ) -> None:
        monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no bwrap on it
        launch.say_how_to_install_bubblewrap()
        said = capsys.readouterr()
        assert (
            "apt-get install bubblewrap" in said.out + said.err
            and "Code exercises are off" in said.out + said.err
        )

    def test_it_says_nothing_when_bubblewrap_is_there(self, monkeypatch, tmp_path, capsys) -> None:
        bwrap = tmp_path / "bwrap"
        bwrap.write_text("#!/bin/sh\n")
        bwrap.chmod(0o755)
        monkeypatch.setenv("PATH", str(tmp_path))
        assert launch.say_how_to_install_bubblewrap() is True
        said = capsys.readouterr()
        assert "bubblewrap" not in said.out + said.err

    def test_its_checker_consumes_the_sandbox_queue_alone(self) -> None:
        command = launch.sandbox_worker_command(1)
        assert command[command.index("-Q") + 1] == "sandbox"

    def test_runs_with_learners_code_have_a_worker_of_their_own(self) -> None:
        """A check never waits behind minutes of training with a learner's function."""
        command = launch.code_trainer_command()
        queue = command[command.index("-Q") + 1]
        assert queue == "code-runs"
        assert len(queue) <= Job._meta.get_field("queue").max_length  # each of its jobs' rows holds it
