"""Demo and test host: the xblock-sdk workbench configured for competency_xblock."""
