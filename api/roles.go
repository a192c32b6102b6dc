package api

import (
	"slices"

	"github.com/partsedge/partsedge/inventory"
)

// Roles a user can hold. The store keeps a role as an opaque string; this
// package gives it meaning.
const (
	RoleAdmin       = "admin"
	RoleStorekeeper = "storekeeper"
	RoleEngineer    = "engineer"
	RoleProcurement = "procurement"
	RolePlanner     = "planner"
	RoleAuditor     = "auditor"
)

// Roles lists every role in a stable order.
func Roles() []string {
	return []string{RoleAdmin, RoleStorekeeper, RoleEngineer, RoleProcurement, RolePlanner, RoleAuditor}
}

// postRules is who may append which event type. Reading is open to every
// role; users, verify and backup are the admin's alone (see access).
// Anything not listed here is refused, so a new event type stays admin-only
// until someone decides otherwise.
func postRules() map[string][]inventory.EventType {
	return map[string][]inventory.EventType{
		RoleAdmin: slices.Clone(inventory.EventTypes),
		RoleStorekeeper: {
			inventory.EvReceipt, inventory.EvMove, inventory.EvReserve, inventory.EvUnreserve,
			inventory.EvIssue, inventory.EvReturn, inventory.EvTransferShipped,
			inventory.EvTransferReceived, inventory.EvCountAdjustment, inventory.EvScrap,
			inventory.EvCountOpened, inventory.EvCountEntered, inventory.EvCountRecount,
		},
		RoleEngineer:    {inventory.EvIssue, inventory.EvReturn, inventory.EvReserve, inventory.EvUnreserve},
		RoleProcurement: {inventory.EvReceipt, inventory.EvReturn, inventory.EvPOCreated, inventory.EvPOClosed},
		RolePlanner:     {inventory.EvReserve, inventory.EvUnreserve, inventory.EvPartDefined, inventory.EvCountOpened},
		RoleAuditor:     {},
	}
}

// access is what a route asks of the caller's role.
type access int

const (
	accessRead  access = iota // any role
	accessPost                // decided per event type by postRules
	accessAdmin               // users, verify, backup
)

type permKey struct {
	role string
	typ  inventory.EventType
}

// permissions is postRules flattened for a lookup that allocates nothing on
// the hot path.
type permissions struct {
	post    map[permKey]bool
	anyPost map[string]bool
}

func newPermissions() permissions {
	p := permissions{post: map[permKey]bool{}, anyPost: map[string]bool{}}
	for role, types := range postRules() {
		for _, t := range types {
			p.post[permKey{role, t}] = true
			p.anyPost[role] = true
		}
	}
	return p
}

func (p permissions) mayPost(role string, t inventory.EventType) bool {
	return p.post[permKey{role, t}]
}

func validRole(r string) bool { return slices.Contains(Roles(), r) }

func knownEventType(t inventory.EventType) bool { return slices.Contains(inventory.EventTypes, t) }
