module github.com/reachkit/reachkit/examples

go 1.24

require github.com/reachkit/reachkit v0.0.0

replace github.com/reachkit/reachkit => ../
