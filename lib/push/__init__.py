"""`dashgen push` and `dashgen diff --env`: plan what a Grafana needs to match the build, then
apply it without clobbering hand edits or touching what dashgen does not own."""
