"""The hls4ml side: extensions (our layers), exact precisions, project writing and csim."""
