"use strict";
// Swagger UI started from a file of its own (CSP: no inline script). drf-spectacular's own
// start-up script also sends a CSRF token, which would set a cookie: this API only reads.
const swaggerSettings = {{ settings|safe }};
window.ui = SwaggerUIBundle({
  url: "{{ schema_url|escapejs }}",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  ...swaggerSettings,
});
