"""The toolkit every app uses: base model, errors, history display, API plumbing, form helpers,
formatting and the Jinja2 environment. It imports no app of the project (import-linter checks)."""
