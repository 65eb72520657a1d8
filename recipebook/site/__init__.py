"""The site integration: MkDocs reads the verification reports through these modules.

Modules, one job each:
  settings        where the reports are, how old they may be, which targets must pass, strict or not
  evidence        what the reports say about one recipe on one target (passed, failed, stale, too old, ...)
  pages           what a page contains: front matter, code blocks, step placeholders, includes
  steps           render `<!-- recipe:step ID -->` as code blocks (tabs Laptop | Kubernetes)
  banner          the status banner at the top of a recipe page (with the strip of recent runs from the history)
  checks          the findings that fail a strict build (each names the page and the fix)
  components      recipebook/components.yaml and the versions of the components
  generated       the generated pages (recipe index, flaky recipes, compatibility, coverage, spec reference)
  navigation      the Recipes and Operations sections of the navigation, from the specs
  hook            the MkDocs events that tie the above together (mkdocs.yml `hooks:`)
  external_links  the nightly external link check over a built site
"""
