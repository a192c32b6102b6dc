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
// until someone decides otherwise. System events (reorder signals) are
// appended by the depot itself, never posted by a user.
func postRules() map[string][]inventory.EventType {
	return map[string][]inventory.EventType{
		RoleAdmin: slices.DeleteFunc(slices.Clone(inventory.EventTypes), inventory.SystemEvent),
		RoleStorekeeper: {
			inventory.EvReceipt, inventory.EvMove, inventory.EvReserve, inventory.EvUnreserve,
			inventory.EvIssue, inventory.EvReturn, inventory.EvTransferShipped,
			inventory.EvTransferReceived, inventory.EvCountAdjustment, inventory.EvScrap,
			inventory.EvTransferRequested, inventory.EvTransferDispatched, inventory.EvTransferAnnounced,
			inventory.EvTransferClosed, inventory.EvRTSCreated, inventory.EvRTSShipped,
			inventory.EvCountOpened, inventory.EvCountEntered, inventory.EvCountRecount,
		},
		RoleEngineer: {inventory.EvIssue, inventory.EvReturn, inventory.EvReserve, inventory.EvUnreserve},
		RoleProcurement: {inventory.EvReceipt, inventory.EvReturn, inventory.EvPOCreated, inventory.EvPOClosed, inventory.EvASNAnnounced,
			inventory.EvRTSCreated, inventory.EvRTSShipped},
		RolePlanner: {inventory.EvReserve, inventory.EvUnreserve, inventory.EvPartDefined, inventory.EvTransferRequested,
			inventory.EvTransferApproved, inventory.EvTransferAnnounced, inventory.EvWOCreated, inventory.EvWOClosed,
			inventory.EvReorderPolicySet, inventory.EvCountOpened},
		RoleAuditor: {},
	}
}

// mayWriteOff says who may write off stock lost in transit: a loss is a
// planner's decision, not the storekeeper's who counted the short.
func mayWriteOff(role string) bool { return role == RoleAdmin || role == RolePlanner }

// access is what a route asks of the caller's role.
type access int

const (
	accessRead  access = iota // any role
	accessPost                // decided per event type by postRules
	accessAdmin               // users, verify, backup
	accessAudit               // the audit trail: auditor and admin
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
