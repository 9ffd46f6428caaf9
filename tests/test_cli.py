from typer.testing import CliRunner

from app.cli import cli


def test_routes_lists_the_health_endpoints() -> None:
    result = CliRunner().invoke(cli, ["routes"])
    assert result.exit_code == 0, result.output
    assert "/health/ready" in result.output
    assert "/health/live" in result.output
