package tests

import "testing"

func TestShipRefusesDirtyTree(t *testing.T) {
	if err := ship(dirtyTree()); err == nil {
		t.Fatal("expected hl ship to refuse uncommitted changes")
	}
}
