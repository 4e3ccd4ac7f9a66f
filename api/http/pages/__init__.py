"""The pages people look at (SPEC §1): the market manager's desk at `/` of `fieldweek
serve` and the customer manager's day on the phone at `/my/{department}/{manager}/{date}`.

Server-rendered with Jinja2 (autoescaped), a little plain JavaScript served by the
package, nothing from any other host. The page shells hold no department data: the
script sends the department key (kept in the tab's sessionStorage, never in a URL) as
the `Authorization` header to the JSON API and to the key-checked parts under
`/v1/desk/`, which answer server-rendered HTML.
"""
