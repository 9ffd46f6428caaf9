"use strict";
// Swagger UI's start, as FastAPI's own page does it inline: a file here, since the page's
// Content-Security-Policy runs no inline script. The page passes its settings as data- attributes.
(function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    ...JSON.parse(root.dataset.parameters || "{}"),
  });
})();
