from . import ir_module, ir_model, ir_model_data, ir_config_parameter, ir_ui_view, ir_attachment, res  # noqa: F401
