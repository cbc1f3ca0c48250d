/*  Starts Swagger UI on the gateway's own OpenAPI document (/docs; see
    gateway/http/gw_docs.h).  A file, not an inline script: the page's
    Content-Security-Policy allows scripts from the gateway only.
    validatorUrl null: Swagger UI would otherwise send the document to
    validator.swagger.io for its badge.                                      */
'use strict';
window.addEventListener('DOMContentLoaded', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute('data-spec'),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    displayOperationId: true,
    persistAuthorization: false,
  });
});
