"""A response from a model the route has already chosen and built.

FastAPI validates whatever a route returns against its `response_model` again before serializing
it. Where the response model is a union of views of one resource (the public and the private
fields of a user, say), the route has already picked the view, and that second validation tries
the union's members one by one, reading every attribute of every item: about 850 us for a page of
20 users, an eighth of the whole request. Returning a `ModelResponse` serializes the chosen model
as it is; the route keeps its `response_model` for the schema.
"""

from pydantic import BaseModel
from starlette.responses import Response


class ModelResponse(Response):
    media_type = "application/json"

    def __init__(self, model: BaseModel, status_code: int = 200) -> None:
        # by_alias, as FastAPI serializes response models.
        super().__init__(model.model_dump_json(by_alias=True), status_code=status_code)
