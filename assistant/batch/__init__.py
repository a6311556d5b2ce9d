"""Tables of questions in and out, the resumable batch run, and the eval scorer."""
