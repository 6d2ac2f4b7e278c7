package tokens

import (
	"fmt"
	"slices"
	"strings"
)

// FitResult is the outcome of FitMessages.
type FitResult struct {
	// Messages are the kept messages, in their original order.
	Messages []Message
	// Dropped are the indexes, in the input, of the dropped messages, in
	// ascending order; len(Dropped) is the number of dropped messages.
	Dropped []int
	// DroppedTurns is the number of whole turns dropped.
	DroppedTurns int
	// Tokens is the prompt token count of Messages, as CountMessages
	// computes it.
	Tokens int
}

// InvalidBudgetError reports a negative token budget.
type InvalidBudgetError struct {
	Budget int
}

// Error reports the budget.
func (e *InvalidBudgetError) Error() string {
	return fmt.Sprintf("tokens: invalid budget %d: a token budget cannot be negative", e.Budget)
}

// BudgetError reports that even the messages FitMessages never drops do not
// fit the budget.
type BudgetError struct {
	// Budget is the budget that was asked for.
	Budget int
	// Required is the smallest result FitMessages can produce: the system
	// and developer messages and the newest turn, with the chat overhead.
	Required int
}

// Error reports the budget and what the kept messages need.
func (e *BudgetError) Error() string {
	return fmt.Sprintf("tokens: budget of %d tokens is too small: the system and developer messages and the newest turn need %d; raise the budget or shorten them", e.Budget, e.Required)
}

// FitMessages drops the oldest conversation turns from msgs until their
// prompt token count on model (as CountMessages computes it) is at most
// budget.
//
// System and developer messages are always kept, wherever they are. The
// other messages form turns: a user message and the assistant and tool
// messages that follow it up to the next user message (messages before the
// first user message form a turn of their own). Turns are dropped whole,
// oldest first, so a tool call is never separated from its result; the
// newest turn is always kept. When the kept system and developer messages
// and the newest turn alone exceed the budget, FitMessages returns a
// *BudgetError rather than an over-budget result. A negative budget returns
// an *InvalidBudgetError, an unknown model an *UnknownModelError.
func FitMessages(model string, msgs []Message, budget int) (FitResult, error) {
	if budget < 0 {
		return FitResult{}, &InvalidBudgetError{Budget: budget}
	}
	enc, err := ForModel(model)
	if err != nil {
		return FitResult{}, err
	}
	return enc.FitMessages(msgs, budget)
}

// FitMessages is the package-level FitMessages for a model that uses this
// encoding.
func (e *Encoding) FitMessages(msgs []Message, budget int) (FitResult, error) {
	if budget < 0 {
		return FitResult{}, &InvalidBudgetError{Budget: budget}
	}
	cost := make([]int, len(msgs))
	turn := make([]int, len(msgs)) // turn number, or -1 for a kept role
	turns := 0                     // number of turns
	total := tokensReplyPrime
	for i, m := range msgs {
		cost[i] = e.messageTokens(m)
		total += cost[i]
		switch {
		case isPinnedRole(m.Role):
			turn[i] = -1
			continue
		case strings.EqualFold(m.Role, "user") || turns == 0:
			turns++
		}
		turn[i] = turns - 1
	}
	if total <= budget {
		return FitResult{Messages: slices.Clone(msgs), Tokens: total}, nil
	}

	// Drop turns oldest first while over budget, keeping the newest.
	turnCost := make([]int, turns)
	for i, t := range turn {
		if t >= 0 {
			turnCost[t] += cost[i]
		}
	}
	dropTurns := 0
	for dropTurns < turns-1 && total > budget {
		total -= turnCost[dropTurns]
		dropTurns++
	}
	if total > budget {
		return FitResult{}, &BudgetError{Budget: budget, Required: total}
	}
	res := FitResult{DroppedTurns: dropTurns, Tokens: total}
	for i, m := range msgs {
		if t := turn[i]; t >= 0 && t < dropTurns {
			res.Dropped = append(res.Dropped, i)
			continue
		}
		res.Messages = append(res.Messages, m)
	}
	return res, nil
}

func isPinnedRole(role string) bool {
	return strings.EqualFold(role, "system") || strings.EqualFold(role, "developer")
}
