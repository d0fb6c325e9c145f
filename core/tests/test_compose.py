"""No Docker engine runs on the build machines: this reads docker-compose.yml and checks that every
service's command names modules, settings and queues that exist in this code base."""

import importlib
import re
from pathlib import Path

import httpx
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def command(name: str) -> list[str]:
    return SERVICES[name]["command"]


class ComposeFileTests:
    def test_it_has_the_production_services(self):
        assert {"postgres", "redis", "web", "worker-cpu", "worker-gpu", "beat", "migrate"} <= set(SERVICES)
        for name in ("postgres", "redis", "web"):
            assert "healthcheck" in SERVICES[name]

    def test_the_web_server_serves_the_asgi_application_that_exists(self):
        target = next(arg for arg in command("web") if ":" in arg and "." in arg)
        module, attribute = target.split(":")
        assert module == "config.asgi" and attribute == "application"
        assert (ROOT / "config" / "asgi.py").read_text().count("application = get_asgi_application()") == 1

    def test_workers_use_the_celery_app_and_the_queues_jobs_are_routed_to(self):
        from trainer import services

        source = Path(services.__file__).read_text()
        routed = set(re.findall(r'"(cpu|gpu)"', source))
        assert routed == {"cpu", "gpu"}
        cpu, gpu = command("worker-cpu"), command("worker-gpu")
        for worker in (cpu, gpu):
            assert worker[:4] == ["celery", "-A", "config", "worker"]
            assert importlib.import_module("config").celery_app.main == "config"
        assert set(cpu[cpu.index("-Q") + 1].split(",")) == {"cpu", "maintenance"}
        assert set(gpu[gpu.index("-Q") + 1].split(",")) == {"gpu", "cpu", "maintenance"}

    def test_workers_have_time_to_hand_their_jobs_back_when_stopped(self):
        for name in ("worker-cpu", "worker-gpu"):
            assert SERVICES[name]["stop_grace_period"] == "30s"

    def test_the_gpu_worker_reserves_an_nvidia_device_in_its_own_profile(self):
        gpu = SERVICES["worker-gpu"]
        assert gpu["profiles"] == ["gpu"]
        devices = gpu["deploy"]["resources"]["reservations"]["devices"]
        assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
        assert (ROOT / gpu["build"]["dockerfile"]).exists()

    def test_every_service_runs_on_the_same_database_and_redis(self):
        for name in ("web", "worker-cpu", "worker-gpu", "beat", "migrate"):
            env = SERVICES[name]["environment"]
            assert (
                env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"] == "redis://redis:6379/0"
            )

    def test_the_migrate_service_uses_commands_that_exist(self):
        text = " ".join(command("migrate"))
        assert "migrate" in text and "import_course courses/ai-large-models" in text
        assert (ROOT / "lessons" / "management" / "commands" / "import_course.py").exists()
        assert (ROOT / "courses" / "ai-large-models").is_dir()

    def test_the_beat_schedule_names_a_task_that_exists(self):
        from config.celery import app, schedule

        app.loader.import_default_modules()
        for entry in schedule().values():
            assert entry["task"] in app.tasks


class ComposeWorkerFlagsTests:
    def test_compose_starts_workers_as_make_run_does(self):
        from config.launch import worker_command

        cpu = command("worker-cpu")
        assert cpu == worker_command(int(cpu[cpu.index("-c") + 1]))
        gpu = command("worker-gpu")
        flags = [flag for flag in worker_command(1) if flag.startswith("--")]
        assert [flag for flag in gpu if flag.startswith("--")] == ["--max-tasks-per-child", *flags]

    def test_compose_starts_the_checker_the_code_trainer_and_the_writer_as_make_run_does(self):
        from config.launch import code_trainer_command, sandbox_worker_command, writer_worker_command

        sandbox = command("worker-sandbox")
        assert sandbox == sandbox_worker_command(int(sandbox[sandbox.index("-c") + 1]))
        assert command("worker-talk") == writer_worker_command()
        assert command("worker-code-runs") == code_trainer_command()


class ComposeWebServerTests:
    """The web service started exactly as compose starts it: several uvicorn processes, each importing the
    application inside its own event loop (a single process imports it before its loop starts)."""

    def test_it_serves_healthz_with_two_worker_processes(self, transactional_db, tmp_path):
        from conftest import compose_web

        assert command("web")[command("web").index("--workers") + 1] == "2"
        log = tmp_path / "web.log"
        with compose_web(log, {"SECRET_KEY": settings.SECRET_KEY}) as url:
            answers = [httpx.get(f"{url}/healthz", timeout=10).status_code for _ in range(4)]
        output = log.read_text()
        assert answers == [200] * 4, output[-3000:]
        assert "Traceback" not in output and "SynchronousOnlyOperation" not in output, output[-3000:]
        assert output.count("Started worker-") == 2, output[-3000:]  # both of the server's workers serve
