"""Training the verifier: data recipes, the training loop and the ONNX export. Never imported at run time."""
