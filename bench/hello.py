"""The baseline: the smallest FastAPI app, served the same way as the real one."""

from fastapi import FastAPI

app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})


@app.get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
