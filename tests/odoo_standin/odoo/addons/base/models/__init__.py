from . import ir_module, ir_model, ir_model_data, ir_config_parameter, ir_ui_view, res  # noqa: F401
